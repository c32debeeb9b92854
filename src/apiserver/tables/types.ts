/** Shapes of a meta.k8s.io Table, and the contract every resource printer meets. */
import type { KObject } from '../../api/meta.js';

/** metav1.TableColumnDefinition: every field is always serialized. */
export interface ColumnDefinition {
  name: string;
  /** OpenAPI type: "string", "integer", "number", "boolean", "date" */
  type: string;
  /** "name" marks the column holding the object's name; otherwise "". */
  format: string;
  description: string;
  /** 0 = shown by `kubectl get`; 1 = only with `-o wide`. */
  priority: number;
}

/** metav1.TableRowCondition */
export interface RowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface PrintedRow {
  cells: unknown[];
  conditions?: RowCondition[];
}

/**
 * One resource's printer. Like kube-apiserver's server-side printing, rows
 * always carry the wide (priority 1) cells; kubectl hides them unless -o wide.
 */
export interface Printer {
  columns: ColumnDefinition[];
  print(obj: KObject, now: Date): PrintedRow;
}
