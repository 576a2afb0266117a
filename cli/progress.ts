/** One line of progress for long runs: `[#####.....] 512/1000 applying`. */
export function renderProgressBar(done: number, total: number, label: string, width = 30): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`.padEnd(width + 40);
}
