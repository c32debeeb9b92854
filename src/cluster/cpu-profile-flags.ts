/**
 * `PODNET_CPU_PROF_DIR=/dir podnet up ...` starts the API server, the node
 * agents and the console (the supervisors' children) under V8's CPU profiler (`node --cpu-prof`, which NODE_OPTIONS
 * does not allow); each writes a .cpuprofile into that directory when it
 * exits (`podnet down`). For finding where a benchmark's CPU goes.
 */
export function cpuProfileFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = env.PODNET_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}
