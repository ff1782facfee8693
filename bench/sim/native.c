// Native MuJoCo stepping benchmark, the anchor for the WASM/native ratio (bench/sim/engine-ratio.ts).
// Usage: native <model.xml> <steps> <reps>
// Loads the model, resets to keyframe 0 (or the default state), holds ctrl at the keyframe's ctrl,
// runs <steps> mj_step calls per rep, and prints one JSON line with the best rep.
#include <mujoco/mujoco.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void reset(const mjModel* m, mjData* d) {
  if (m->nkey > 0) {
    mj_resetDataKeyframe(m, d, 0);
    if (m->nu > 0) memcpy(d->ctrl, m->key_ctrl, sizeof(mjtNum) * m->nu);
  } else {
    mj_resetData(m, d);
  }
  mj_forward(m, d);
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s <model.xml> <steps> <reps>\n", argv[0]);
    return 2;
  }
  long steps = strtol(argv[2], NULL, 10);
  long reps = strtol(argv[3], NULL, 10);
  if (steps <= 0 || reps <= 0) {
    fprintf(stderr, "steps and reps must be positive integers\n");
    return 2;
  }

  char error[1000] = "";
  mjModel* m = mj_loadXML(argv[1], NULL, error, sizeof(error));
  if (!m) {
    fprintf(stderr, "mj_loadXML failed: %s\n", error);
    return 1;
  }
  if (error[0]) fprintf(stderr, "mj_loadXML warning: %s\n", error);
  mjData* d = mj_makeData(m);
  if (!d) {
    fprintf(stderr, "mj_makeData failed\n");
    mj_deleteModel(m);
    return 1;
  }

  double best = -1;
  for (long r = 0; r < reps; r++) {
    reset(m, d);
    double start = now_seconds();
    for (long i = 0; i < steps; i++) mj_step(m, d);
    double elapsed = now_seconds() - start;
    if (best < 0 || elapsed < best) best = elapsed;
  }

  // Warnings (e.g. a full contact buffer) would make the comparison unfair; report them.
  int warnings = 0;
  for (int i = 0; i < mjNWARNING; i++) warnings += d->warning[i].number;

  printf("{\"engine\":\"%s\",\"version\":%d,\"steps\":%ld,\"reps\":%ld,\"stepsPerSecond\":%.1f,"
         "\"usPerStep\":%.4f,\"ncon\":%d,\"time\":%.6f,\"warnings\":%d,\"nq\":%d,\"qpos\":[",
         mj_versionString(), mj_version(), steps, reps, (double)steps / best, best / (double)steps * 1e6,
         d->ncon, d->time, warnings, m->nq);
  for (int i = 0; i < m->nq; i++) printf(i ? ",%.6g" : "%.6g", d->qpos[i]);
  printf("]}\n");

  mj_deleteData(d);
  mj_deleteModel(m);
  return 0;
}
