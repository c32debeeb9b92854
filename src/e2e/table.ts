/** Reading kubectl's human-readable tables the way a user reads them. */

/** Parse a kubectl table (header + rows) into records keyed by header name. */
export function parseTable(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const header = lines[0]!;
  // Cells are aligned under the header's column starts; slice by those offsets.
  const starts: { name: string; at: number }[] = [];
  const re = /\S+(?: \S+)*/g;
  for (let m = re.exec(header); m; m = re.exec(header)) starts.push({ name: m[0], at: m.index });
  return lines.slice(1).map((line) => {
    const row: Record<string, string> = {};
    starts.forEach((s, i) => {
      const end = i + 1 < starts.length ? starts[i + 1]!.at : line.length;
      row[s.name] = line.slice(s.at, end).trim();
    });
    return row;
  });
}
