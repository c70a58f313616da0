// Preloaded by bench/profile.mjs: the first SIGUSR2 starts V8's CPU profiler (or, with PROFILE_HEAP set, its
// sampling heap profiler, collected objects included, so that it counts what was allocated rather than what is
// live), the second stops it, writes the profile and the size V8 has grown the young generation (new space) to
// into $PROFILE_OUT, and exits.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const v8 = require('node:v8');

const session = new inspector.Session();
session.connect();
const heap = Boolean(process.env.PROFILE_HEAP);
let profiling = false;
process.on('SIGUSR2', () => {
  if (!profiling) {
    profiling = true;
    const interval = Number(process.env.PROFILE_INTERVAL ?? 200);
    if (heap) {
      session.post('HeapProfiler.startSampling', {
        samplingInterval: interval,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      return;
    }
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval }, () => session.post('Profiler.start')),
    );
    return;
  }
  session.post(heap ? 'HeapProfiler.stopSampling' : 'Profiler.stop', (error, result) => {
    if (error) console.error(`profile not written: ${error.message}`);
    else {
      const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size;
      writeFileSync(process.env.PROFILE_OUT, JSON.stringify({ profile: result.profile, newSpace }));
    }
    process.exit(0);
  });
});
