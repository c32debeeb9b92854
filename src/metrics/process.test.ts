import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processMetricsText } from './process.js';

test('process_* and nodejs_* metrics with plausible values', () => {
  const text = processMetricsText();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  assert.ok(value('process_cpu_seconds_total') > 0);
  assert.ok(value('process_resident_memory_bytes') > 10_000_000);
  const start = value('process_start_time_seconds');
  assert.ok(start <= Date.now() / 1000 && start > Date.now() / 1000 - 3600, String(start));
  assert.ok(value('process_open_fds') >= 3);
  assert.ok(value('process_max_fds') >= value('process_open_fds'));
  assert.ok(value('nodejs_heap_size_used_bytes') > 0);
  assert.match(text, /^nodejs_heap_space_size_used_bytes\{space="old"\} \d+$/m);
  assert.match(text, /^# TYPE process_cpu_seconds_total counter$/m);
  assert.match(text, new RegExp(`^nodejs_version_info\\{version="${process.version}",`, 'm'));
});
