/*
 * nvml_tick_cost.c: the raw C cost of one exporter tick, the denominator of the JNA overhead ratio
 * (target: the Java tick, TickBenchmark.readOnOneThread, at most 1.3x this).
 *
 * It dlopens an NVML library (the real libnvidia-ml.so.1 on a GPU machine, or acceltel's test double
 * exporters/target/native/libnvml_double.so), gets N device handles and then, for T ticks, makes on one thread
 * EXACTLY the NVML calls that io.acceltel.exporter.nvml.NvmlDeviceReader.read() makes per device, in the same
 * order and with the same steady-state rules:
 *   - a function that answered NOT_SUPPORTED is not called again (CallGuard.skip), with the same granularity
 *     (one flag for all three clock types, one for the four ECC counters, ...), and where the Java code calls
 *     without checking skip (nvmlDeviceGetMemoryInfo_v2, NvLink state) this does not check either;
 *   - GPU_UTILIZATION and TOTAL_POWER sample rings drained with lastSeenTimeStamp into a 128-entry buffer, and
 *     nvmlDeviceGetPowerUsage only when the power drain found nothing new (SampleDrain);
 *   - memory v2, falling back to v1 for good on FUNCTION_NOT_FOUND / ARGUMENT_VERSION_MISMATCH (MemoryInfoReader);
 *   - one nvmlDeviceGetFieldValues with fields 82, 197, 198, 138+139 (scopeId UINT_MAX), 230, entries that
 *     answered NOT_SUPPORTED or INVALID_ARGUMENT dropped from the request for good (FieldValueReader);
 *   - NvLink links probed 0..35 on the first tick until NOT_SUPPORTED / INVALID_ARGUMENT, then only that many,
 *     with the four error counters per link (NvLinkReader);
 *   - compute processes into a 32-entry buffer, regrown on INSUFFICIENT_SIZE (ComputeProcessReader);
 *   - MIG mode every tick and, while enabled, the instances (MigReader; the UUID every tick, the rest of an
 *     identity once per slot and UUID);
 *   - GPM: a sample per tick, and nvmlGpmMetricsGet over the 12 metric ids when the previous sample is at least
 *     150 ms old (GpmSampler); GPM is probed and the two samples allocated at open, as the backend does.
 * The energy counter (readBackground, off the tick path) is not part of the tick and not called.
 *
 * KEEP IT IN SYNC WITH NvmlDeviceReader and its helper classes: a change in which NVML calls one tick makes must
 * change this file too. bench/native/check-calls.sh checks it against the test double: it runs one steady-state
 * tick here and one through the Java backend (bench/native/CallCounts.java) and compares the double's per-function
 * call counters (nvmlDouble_calls).
 *
 * Usage:
 *   nvml_tick_cost LIB [--devices N] [--nvlinks L] [--ticks T] [--warmup W] [--interval-ms MS] [--by-function]
 *                  [--counts] [--background R]
 *     LIB            path of libnvidia-ml.so.1 (or the double)
 *     --devices N    use the first N GPUs (default: all). On the double, N also resets it to N GPUs, as
 *                    TickBenchmark does; without it the double's NVML_DOUBLE_DEVICES / NVML_DOUBLE_LOAD apply
 *     --nvlinks L    the double only, with --devices: each GPU has L NVLink links (default 0, the PCIe board of
 *                    shared/data/h100-trace; an SXM H100 or H200 has 18), as TickBenchmark's nvlinks parameter
 *     --ticks T      measured ticks (default 10000); --warmup W ticks before them (default 100), the first of
 *                    which is the probing tick
 *     --interval-ms  pause between ticks (default 0: back to back, like the JMH benchmark)
 *     --by-function  also time every call of the measured ticks on its own and print, per NVML function, the
 *                    calls per tick, p50/p99/max microseconds and share of the time (the timing adds ~50 ns a call)
 *     --background R instead of ticks, R rounds of the background read (readBackground: the energy counter and
 *                    the eight perf-policy throttle-time fields in one call) over every device, --interval-ms apart,
 *                    each call timed; then GPU 0's values and the driver's latency per field (latencyUsec)
 *     --counts       after the warm-up, run one tick and print the double's per-function call counters
 *                    (needs the double) as "function count" lines, sorted; nothing else is timed
 *   Prints mean/p50/p99/max microseconds per tick for all devices together, and the NVML calls per tick.
 *
 *   nvml_tick_cost --smi-standin LIB [--help-query-gpu] --query-gpu=F1,F2,... --format=csv[,noheader][,nounits]
 *                  [-lms MS | -l S]
 *     A STAND-IN FOR nvidia-smi, used only to exercise scripts/validate-nvidia.sh on a machine without a GPU
 *     (against the double). It prints the same CSV columns as `nvidia-smi --query-gpu` from the same NVML library,
 *     read the way nvidia-smi documents them (utilization and power as NVML's current values, memory in MiB,
 *     clocks in MHz). It is not nvidia-smi and validates nothing by itself.
 *
 * Build: bench/native/build.sh (gcc -O2 ... -ldl).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- ABI (NVML API 13), as in shared/reference/nvml.md */
typedef void *dev_t_;
typedef struct { unsigned int gpu, memory; } util_t;
typedef struct { unsigned long long total, free, used; } mem1_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } mem2_t;
typedef struct { unsigned long long bar1Total, bar1Free, bar1Used; } bar1_t;
typedef struct {
  unsigned int fieldId, scopeId;
  long long timestamp, latencyUsec;
  int valueType, nvmlReturn;
  unsigned long long value;
} field_t;
typedef struct { unsigned long long timeStamp; unsigned long long value; } sample_t;
typedef struct { unsigned int version, isSupportedDevice; } gpm_support_t;
typedef struct { unsigned int metricId; int nvmlReturn; double value; char *names[3]; } gpm_metric_t;
#define GPM_METRIC_MAX 333
typedef struct {
  unsigned int version, numMetrics;
  void *sample1, *sample2;
  gpm_metric_t metrics[GPM_METRIC_MAX];
} gpm_get_t;

#define SUCCESS 0
#define INVALID_ARGUMENT 2
#define NOT_SUPPORTED 3
#define NOT_FOUND 6
#define INSUFFICIENT_SIZE 7
#define FUNCTION_NOT_FOUND 13
#define ARGUMENT_VERSION_MISMATCH 25

/* ---- the NVML functions, resolved with dlsym */
static void *lib;
static long callsThisTick;
/* --by-function: every call is timed and its duration kept under its function's name */
static int byFunction;
static long long monoNs(void);
static void recordCall(const char *function, long long ns);
#define FN(ret, name, args) typedef ret (*name##_f) args; static name##_f p_##name;
FN(int, nvmlInit_v2, (void))
FN(int, nvmlShutdown, (void))
FN(int, nvmlDeviceGetCount_v2, (unsigned int *))
FN(int, nvmlDeviceGetHandleByIndex_v2, (unsigned int, dev_t_ *))
FN(int, nvmlDeviceGetSamples, (dev_t_, int, unsigned long long, int *, unsigned int *, sample_t *))
FN(int, nvmlDeviceGetUtilizationRates, (dev_t_, util_t *))
FN(int, nvmlDeviceGetPowerUsage, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetEnforcedPowerLimit, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetPowerManagementLimit, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetMemoryInfo_v2, (dev_t_, mem2_t *))
FN(int, nvmlDeviceGetMemoryInfo, (dev_t_, mem1_t *))
FN(int, nvmlDeviceGetBAR1MemoryInfo, (dev_t_, bar1_t *))
FN(int, nvmlDeviceGetTemperature, (dev_t_, int, unsigned int *))
FN(int, nvmlDeviceGetClockInfo, (dev_t_, int, unsigned int *))
FN(int, nvmlDeviceGetMaxClockInfo, (dev_t_, int, unsigned int *))
FN(int, nvmlDeviceGetCurrentClocksEventReasons, (dev_t_, unsigned long long *))
FN(int, nvmlDeviceGetPerformanceState, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetFanSpeed, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetCurrPcieLinkGeneration, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetMaxPcieLinkGeneration, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetCurrPcieLinkWidth, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetMaxPcieLinkWidth, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetPcieReplayCounter, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetTotalEccErrors, (dev_t_, int, int, unsigned long long *))
FN(int, nvmlDeviceGetRemappedRows, (dev_t_, unsigned int *, unsigned int *, unsigned int *, unsigned int *))
FN(int, nvmlDeviceGetEncoderUtilization, (dev_t_, unsigned int *, unsigned int *))
FN(int, nvmlDeviceGetDecoderUtilization, (dev_t_, unsigned int *, unsigned int *))
FN(int, nvmlDeviceGetFieldValues, (dev_t_, int, field_t *))
FN(int, nvmlDeviceGetTotalEnergyConsumption, (dev_t_, unsigned long long *))
FN(int, nvmlDeviceGetNvLinkState, (dev_t_, unsigned int, int *))
FN(int, nvmlDeviceGetNvLinkErrorCounter, (dev_t_, unsigned int, int, unsigned long long *))
FN(int, nvmlDeviceGetComputeRunningProcesses_v3, (dev_t_, unsigned int *, void *))
FN(int, nvmlDeviceGetMigMode, (dev_t_, unsigned int *, unsigned int *))
FN(int, nvmlDeviceGetMaxMigDeviceCount, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetMigDeviceHandleByIndex, (dev_t_, unsigned int, dev_t_ *))
FN(int, nvmlDeviceGetGpuInstanceId, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetComputeInstanceId, (dev_t_, unsigned int *))
FN(int, nvmlDeviceGetUUID, (dev_t_, char *, unsigned int))
FN(int, nvmlDeviceGetName, (dev_t_, char *, unsigned int))
FN(int, nvmlSystemGetDriverVersion, (char *, unsigned int))
FN(int, nvmlGpmQueryDeviceSupport, (dev_t_, gpm_support_t *))
FN(int, nvmlGpmSampleAlloc, (void **))
FN(int, nvmlGpmSampleFree, (void *))
FN(int, nvmlGpmSampleGet, (dev_t_, void *))
FN(int, nvmlGpmMetricsGet, (gpm_get_t *))

/* A missing symbol answers FUNCTION_NOT_FOUND, as JNA's UnsatisfiedLinkError is treated by the Java code. */
#define CALL(name, ...) ({                                                                       \
    callsThisTick++;                                                                                \
    int rc_ = FUNCTION_NOT_FOUND;                                                                   \
    if (p_##name && !byFunction) rc_ = p_##name(__VA_ARGS__);                                        \
    else if (p_##name) {                                                                            \
      long long t0_ = monoNs();                                                                     \
      rc_ = p_##name(__VA_ARGS__);                                                                  \
      recordCall(#name, monoNs() - t0_);                                                            \
    }                                                                                               \
    rc_; })
#define RESOLVE(name) p_##name = (name##_f) dlsym(lib, #name)

static void resolveAll(void) {
  RESOLVE(nvmlInit_v2); RESOLVE(nvmlShutdown); RESOLVE(nvmlDeviceGetCount_v2); RESOLVE(nvmlDeviceGetHandleByIndex_v2);
  RESOLVE(nvmlDeviceGetSamples); RESOLVE(nvmlDeviceGetUtilizationRates); RESOLVE(nvmlDeviceGetPowerUsage);
  RESOLVE(nvmlDeviceGetEnforcedPowerLimit); RESOLVE(nvmlDeviceGetPowerManagementLimit);
  RESOLVE(nvmlDeviceGetMemoryInfo_v2); RESOLVE(nvmlDeviceGetMemoryInfo); RESOLVE(nvmlDeviceGetBAR1MemoryInfo);
  RESOLVE(nvmlDeviceGetTemperature); RESOLVE(nvmlDeviceGetClockInfo); RESOLVE(nvmlDeviceGetMaxClockInfo);
  RESOLVE(nvmlDeviceGetCurrentClocksEventReasons); RESOLVE(nvmlDeviceGetPerformanceState);
  RESOLVE(nvmlDeviceGetFanSpeed); RESOLVE(nvmlDeviceGetCurrPcieLinkGeneration);
  RESOLVE(nvmlDeviceGetMaxPcieLinkGeneration); RESOLVE(nvmlDeviceGetCurrPcieLinkWidth);
  RESOLVE(nvmlDeviceGetMaxPcieLinkWidth); RESOLVE(nvmlDeviceGetPcieReplayCounter);
  RESOLVE(nvmlDeviceGetTotalEccErrors); RESOLVE(nvmlDeviceGetRemappedRows); RESOLVE(nvmlDeviceGetEncoderUtilization);
  RESOLVE(nvmlDeviceGetDecoderUtilization); RESOLVE(nvmlDeviceGetFieldValues); RESOLVE(nvmlDeviceGetNvLinkState);
  RESOLVE(nvmlDeviceGetTotalEnergyConsumption);
  RESOLVE(nvmlDeviceGetNvLinkErrorCounter); RESOLVE(nvmlDeviceGetComputeRunningProcesses_v3);
  RESOLVE(nvmlDeviceGetMigMode); RESOLVE(nvmlDeviceGetMaxMigDeviceCount); RESOLVE(nvmlDeviceGetMigDeviceHandleByIndex);
  RESOLVE(nvmlDeviceGetGpuInstanceId); RESOLVE(nvmlDeviceGetComputeInstanceId); RESOLVE(nvmlDeviceGetUUID);
  RESOLVE(nvmlDeviceGetName); RESOLVE(nvmlSystemGetDriverVersion); RESOLVE(nvmlGpmQueryDeviceSupport);
  RESOLVE(nvmlGpmSampleAlloc); RESOLVE(nvmlGpmSampleFree); RESOLVE(nvmlGpmSampleGet); RESOLVE(nvmlGpmMetricsGet);
}

/* ---- per-device state, mirroring the Java readers */
enum {
  F_UTIL_SAMPLES, F_POWER_SAMPLES, F_UTIL_RATES, F_POWER_USAGE, F_POWER_LIMIT, F_MEM_V2, F_MEM_V1, F_BAR1,
  F_TEMPERATURE, F_CLOCK, F_MAX_CLOCK, F_CLOCK_EVENTS, F_PSTATE, F_FAN, F_PCIE_GEN, F_PCIE_MAX_GEN, F_PCIE_WIDTH,
  F_PCIE_MAX_WIDTH, F_PCIE_REPLAY, F_ECC, F_REMAPPED, F_ENCODER, F_DECODER, F_FIELDS, F_NVLINK_STATE,
  F_NVLINK_ERRORS, F_PROCESSES, F_MIG_MODE, F_GPM_SAMPLE, F_COUNT
};
#define MAX_DEVICES 64
#define MAX_MIG 8
#define NFIELDS 6

typedef struct {
  int type;
  int fn;
  unsigned long long lastSeenUs;
  unsigned int capacity;
  sample_t *buffer;
} drain_t;

typedef struct { int useV1; } memreader_t;
typedef struct { uintptr_t handle; unsigned int gi; int valid; char uuid[96]; memreader_t memory; } mig_slot_t;

typedef struct {
  dev_t_ handle;
  char unsupported[F_COUNT];
  drain_t util, power;
  memreader_t memory;
  field_t request[NFIELDS];
  unsigned int fieldIds[NFIELDS], fieldScopes[NFIELDS];
  int fieldCount;
  int linkCount;
  unsigned int procCapacity;
  unsigned char *procBuffer;
  int migEnabled;
  mig_slot_t migSlots[MAX_MIG];
  int gpm;
  void *gpmPrevious, *gpmCurrent;
  long long gpmPreviousNs;
  int gpmPreviousValid;
} device_t;

static device_t devices[MAX_DEVICES];
static int deviceCount;
static gpm_get_t gpmRequest;
static const unsigned int GPM_IDS[] = {1, 2, 3, 5, 10, 11, 12, 13, 20, 21, 60, 61};

static long long monoNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define MAX_FUNCTIONS 64
typedef struct { const char *name; long count, capacity; long long totalNs; double *us; } fn_times_t;
static fn_times_t fnTimes[MAX_FUNCTIONS];
static int fnCount;

static void recordCall(const char *function, long long ns) {
  int i = 0;
  while (i < fnCount && strcmp(fnTimes[i].name, function) != 0) i++;
  if (i == fnCount) {
    if (fnCount == MAX_FUNCTIONS) return;
    fnTimes[fnCount++] = (fn_times_t) {function, 0, 0, 0, NULL};
  }
  fn_times_t *f = &fnTimes[i];
  if (f->count == f->capacity) {
    f->capacity = f->capacity ? f->capacity * 2 : 1024;
    f->us = realloc(f->us, sizeof(double) * (size_t) f->capacity);
  }
  f->us[f->count++] = ns / 1000.0;
  f->totalNs += ns;
}

/* CallGuard.ok: NOT_SUPPORTED marks the function unsupported for good. */
static int ok(device_t *d, int fn, int rc) {
  if (rc == SUCCESS) return 1;
  if (rc == NOT_SUPPORTED) d->unsupported[fn] = 1;
  return 0;
}
#define SKIP(d, fn) ((d)->unsupported[fn])

enum { NEW_SAMPLES, NO_NEW_SAMPLES, FAILED };

/* SampleDrain.drain */
static int drainCall(device_t *d, drain_t *s, int *valueType, unsigned int *count) {
  *count = s->capacity;
  return CALL(nvmlDeviceGetSamples, d->handle, s->type, s->lastSeenUs, valueType, count, s->buffer);
}
static int drain(device_t *d, drain_t *s) {
  if (SKIP(d, s->fn)) return FAILED;
  int valueType = 0;
  unsigned int count = 0;
  int rc = drainCall(d, s, &valueType, &count);
  if (rc == INSUFFICIENT_SIZE) {
    unsigned int ring = 0;
    int q = CALL(nvmlDeviceGetSamples, d->handle, s->type, s->lastSeenUs, &valueType, &ring, NULL);
    unsigned int grown = s->capacity * 2;
    if (q == SUCCESS && ring > grown) grown = ring;
    free(s->buffer);
    s->buffer = calloc(grown, sizeof(sample_t));
    s->capacity = grown;
    rc = drainCall(d, s, &valueType, &count);
  }
  if (rc == NOT_FOUND) return NO_NEW_SAMPLES;
  if (!ok(d, s->fn, rc)) return FAILED;
  unsigned int n = count < s->capacity ? count : s->capacity;
  unsigned long long newest = s->lastSeenUs;
  for (unsigned int i = 0; i < n; i++) if (s->buffer[i].timeStamp > newest) newest = s->buffer[i].timeStamp;
  unsigned long long after = s->lastSeenUs == 0 ? newest - 1000000ULL : s->lastSeenUs;
  int used = 0;
  volatile double sum = 0;
  for (unsigned int i = 0; i < n; i++) {
    if (s->buffer[i].timeStamp <= after) continue;
    sum += (double) (unsigned int) s->buffer[i].value;
    used++;
  }
  s->lastSeenUs = newest;
  return used ? NEW_SAMPLES : NO_NEW_SAMPLES;
}

/* MemoryInfoReader.read */
static int readMemoryOf(device_t *d, memreader_t *m, dev_t_ h) {
  if (!m->useV1) {
    mem2_t v2;
    v2.version = (unsigned int) sizeof(mem2_t) | (2u << 24);
    int rc = CALL(nvmlDeviceGetMemoryInfo_v2, h, &v2);
    if (rc == FUNCTION_NOT_FOUND || rc == ARGUMENT_VERSION_MISMATCH) m->useV1 = 1;
    else return ok(d, F_MEM_V2, rc);
  }
  mem1_t v1;
  return !SKIP(d, F_MEM_V1) && ok(d, F_MEM_V1, CALL(nvmlDeviceGetMemoryInfo, h, &v1));
}

static int scalar(device_t *d, int fn, int rc) { return ok(d, fn, rc); }

static void readDevice(device_t *d) {
  dev_t_ h = d->handle;
  unsigned int u, u2, u3, u4;
  unsigned long long ull;
  /* readUtilization */
  drain(d, &d->util);
  util_t util;
  if (!SKIP(d, F_UTIL_RATES)) ok(d, F_UTIL_RATES, CALL(nvmlDeviceGetUtilizationRates, h, &util));
  /* readPower */
  if (drain(d, &d->power) != NEW_SAMPLES && !SKIP(d, F_POWER_USAGE)) {
    scalar(d, F_POWER_USAGE, CALL(nvmlDeviceGetPowerUsage, h, &u));
  }
  if (!SKIP(d, F_POWER_LIMIT)) scalar(d, F_POWER_LIMIT, CALL(nvmlDeviceGetEnforcedPowerLimit, h, &u));
  /* readMemory */
  readMemoryOf(d, &d->memory, h);
  bar1_t bar1;
  if (!SKIP(d, F_BAR1)) ok(d, F_BAR1, CALL(nvmlDeviceGetBAR1MemoryInfo, h, &bar1));
  /* readThermalAndClocks: SM, MEM, GRAPHICS */
  if (!SKIP(d, F_TEMPERATURE)) ok(d, F_TEMPERATURE, CALL(nvmlDeviceGetTemperature, h, 0, &u));
  static const int clockTypes[] = {1, 2, 0};
  for (int i = 0; i < 3; i++) {
    if (!SKIP(d, F_CLOCK)) ok(d, F_CLOCK, CALL(nvmlDeviceGetClockInfo, h, clockTypes[i], &u));
    if (!SKIP(d, F_MAX_CLOCK)) ok(d, F_MAX_CLOCK, CALL(nvmlDeviceGetMaxClockInfo, h, clockTypes[i], &u));
  }
  if (!SKIP(d, F_CLOCK_EVENTS)) ok(d, F_CLOCK_EVENTS, CALL(nvmlDeviceGetCurrentClocksEventReasons, h, &ull));
  if (!SKIP(d, F_PSTATE)) ok(d, F_PSTATE, CALL(nvmlDeviceGetPerformanceState, h, &u));
  if (!SKIP(d, F_FAN)) ok(d, F_FAN, CALL(nvmlDeviceGetFanSpeed, h, &u));
  /* readPcie */
  if (!SKIP(d, F_PCIE_GEN)) ok(d, F_PCIE_GEN, CALL(nvmlDeviceGetCurrPcieLinkGeneration, h, &u));
  if (!SKIP(d, F_PCIE_MAX_GEN)) ok(d, F_PCIE_MAX_GEN, CALL(nvmlDeviceGetMaxPcieLinkGeneration, h, &u));
  if (!SKIP(d, F_PCIE_WIDTH)) ok(d, F_PCIE_WIDTH, CALL(nvmlDeviceGetCurrPcieLinkWidth, h, &u));
  if (!SKIP(d, F_PCIE_MAX_WIDTH)) ok(d, F_PCIE_MAX_WIDTH, CALL(nvmlDeviceGetMaxPcieLinkWidth, h, &u));
  if (!SKIP(d, F_PCIE_REPLAY)) ok(d, F_PCIE_REPLAY, CALL(nvmlDeviceGetPcieReplayCounter, h, &u));
  /* readErrors: (corrected, uncorrected) x (volatile, aggregate) */
  static const int ecc[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  for (int i = 0; i < 4 && !SKIP(d, F_ECC); i++) ok(d, F_ECC, CALL(nvmlDeviceGetTotalEccErrors, h, ecc[i][0], ecc[i][1], &ull));
  if (!SKIP(d, F_REMAPPED)) ok(d, F_REMAPPED, CALL(nvmlDeviceGetRemappedRows, h, &u, &u2, &u3, &u4));
  /* readCodecs */
  if (!SKIP(d, F_ENCODER)) ok(d, F_ENCODER, CALL(nvmlDeviceGetEncoderUtilization, h, &u, &u2));
  if (!SKIP(d, F_DECODER)) ok(d, F_DECODER, CALL(nvmlDeviceGetDecoderUtilization, h, &u, &u2));
  /* FieldValueReader.read: the request is rewritten only when an entry was dropped */
  if (d->fieldCount > 0 && !SKIP(d, F_FIELDS)) {
    if (ok(d, F_FIELDS, CALL(nvmlDeviceGetFieldValues, h, d->fieldCount, d->request))) {
      int kept = 0;
      for (int i = 0; i < d->fieldCount; i++) {
        /* as FieldValueReader: INVALID_ARGUMENT is how drivers older than the field (230 before R570) answer */
        if (d->request[i].nvmlReturn == NOT_SUPPORTED || d->request[i].nvmlReturn == INVALID_ARGUMENT) continue;
        d->fieldIds[kept] = d->fieldIds[i];
        d->fieldScopes[kept++] = d->fieldScopes[i];
      }
      if (kept != d->fieldCount) {
        d->fieldCount = kept;
        memset(d->request, 0, sizeof d->request);
        for (int i = 0; i < kept; i++) {
          d->request[i].fieldId = d->fieldIds[i];
          d->request[i].scopeId = d->fieldScopes[i];
        }
      }
    }
  }
  /* NvLinkReader.read */
  if (d->linkCount != 0) {
    int limit = d->linkCount < 0 ? 36 : d->linkCount;
    int probed = 0;
    for (int link = 0; link < limit; link++) {
      int active;
      int rc = CALL(nvmlDeviceGetNvLinkState, h, (unsigned int) link, &active);
      if (d->linkCount < 0 && (rc == NOT_SUPPORTED || rc == INVALID_ARGUMENT)) {
        d->linkCount = link;
        if (link == 0) d->unsupported[F_NVLINK_STATE] = 1;
        probed = 1;
        break;
      }
      ok(d, F_NVLINK_STATE, rc);
      if (SKIP(d, F_NVLINK_ERRORS)) continue;
      static const int counters[] = {2, 3, 0, 1}; /* CRC_FLIT, CRC_DATA, REPLAY, RECOVERY */
      for (int c = 0; c < 4; c++) {
        if (!ok(d, F_NVLINK_ERRORS, CALL(nvmlDeviceGetNvLinkErrorCounter, h, (unsigned int) link, counters[c], &ull))
            && SKIP(d, F_NVLINK_ERRORS)) {
          break;
        }
      }
    }
    if (!probed) d->linkCount = limit;
  }
  /* ComputeProcessReader.read (the stride probe reads the buffer only, no call) */
  if (!SKIP(d, F_PROCESSES)) {
    unsigned int count = d->procCapacity;
    int rc = CALL(nvmlDeviceGetComputeRunningProcesses_v3, h, &count, d->procBuffer);
    if (rc == INSUFFICIENT_SIZE) {
      unsigned int grown = count + 8 > d->procCapacity * 2 ? count + 8 : d->procCapacity * 2;
      free(d->procBuffer);
      d->procBuffer = calloc(grown, 32);
      d->procCapacity = grown;
      count = grown;
      rc = CALL(nvmlDeviceGetComputeRunningProcesses_v3, h, &count, d->procBuffer);
    }
    ok(d, F_PROCESSES, rc);
  }
  /* MigReader.readMode + readInstances */
  if (!SKIP(d, F_MIG_MODE)) {
    if (ok(d, F_MIG_MODE, CALL(nvmlDeviceGetMigMode, h, &u, &u2))) d->migEnabled = u == 1;
    else if (SKIP(d, F_MIG_MODE)) d->migEnabled = 0;
  } else {
    d->migEnabled = 0;
  }
  if (d->migEnabled && CALL(nvmlDeviceGetMaxMigDeviceCount, h, &u) == SUCCESS) {
    unsigned int max = u < MAX_MIG ? u : MAX_MIG;
    for (unsigned int i = 0; i < max; i++) {
      dev_t_ mig;
      int rc = CALL(nvmlDeviceGetMigDeviceHandleByIndex, h, i, &mig);
      if (rc == NOT_FOUND) { d->migSlots[i].valid = 0; continue; }
      if (rc != SUCCESS) continue;
      unsigned int gi;
      if (CALL(nvmlDeviceGetGpuInstanceId, mig, &gi) != SUCCESS) continue;
      mig_slot_t *slot = &d->migSlots[i];
      char text[96];
      if (CALL(nvmlDeviceGetUUID, mig, text, sizeof text) != SUCCESS) continue;
      if (!(slot->valid && slot->handle == (uintptr_t) mig && slot->gi == gi && !strcmp(slot->uuid, text))) {
        if (CALL(nvmlDeviceGetComputeInstanceId, mig, &u) != SUCCESS) continue;
        memcpy(slot->uuid, text, sizeof text);
        CALL(nvmlDeviceGetName, mig, text, sizeof text);
        slot->valid = 1;
        slot->handle = (uintptr_t) mig;
        slot->gi = gi;
        slot->memory.useV1 = 0;
      }
      readMemoryOf(d, &slot->memory, mig);
    }
  }
  /* GpmSampler.read */
  if (d->gpm && !SKIP(d, F_GPM_SAMPLE)) {
    long long now = monoNs();
    if (!ok(d, F_GPM_SAMPLE, CALL(nvmlGpmSampleGet, h, d->gpmCurrent))) {
      d->gpmPreviousValid = 0;
    } else if (!d->gpmPreviousValid || now - d->gpmPreviousNs >= 150000000LL) {
      int swap = 1;
      if (d->gpmPreviousValid) {
        gpmRequest.version = 1;
        gpmRequest.numMetrics = sizeof GPM_IDS / sizeof GPM_IDS[0];
        gpmRequest.sample1 = d->gpmPrevious;
        gpmRequest.sample2 = d->gpmCurrent;
        for (unsigned int i = 0; i < gpmRequest.numMetrics; i++) gpmRequest.metrics[i].metricId = GPM_IDS[i];
        if (CALL(nvmlGpmMetricsGet, &gpmRequest) != SUCCESS) { swap = 0; d->gpmPreviousValid = 0; }
      }
      if (swap) {
        void *taken = d->gpmCurrent;
        d->gpmCurrent = d->gpmPrevious;
        d->gpmPrevious = taken;
        d->gpmPreviousNs = now;
        d->gpmPreviousValid = 1;
      }
    }
  }
}

/* What NvmlBackend.openDevice and GpmSampler.open set up; not part of the tick. */
static int openDevice(device_t *d, unsigned int index) {
  memset(d, 0, sizeof *d);
  if (p_nvmlDeviceGetHandleByIndex_v2(index, &d->handle) != SUCCESS) return 0;
  d->util = (drain_t){1, F_UTIL_SAMPLES, 0, 128, calloc(128, sizeof(sample_t))};
  d->power = (drain_t){0, F_POWER_SAMPLES, 0, 128, calloc(128, sizeof(sample_t))};
  static const unsigned int ids[NFIELDS] = {82, 197, 198, 138, 139, 230};
  static const unsigned int scopes[NFIELDS] = {0, 0, 0, 0xFFFFFFFFu, 0xFFFFFFFFu, 0};
  d->fieldCount = NFIELDS;
  for (int i = 0; i < NFIELDS; i++) {
    d->fieldIds[i] = ids[i];
    d->fieldScopes[i] = scopes[i];
    d->request[i].fieldId = ids[i];
    d->request[i].scopeId = scopes[i];
  }
  d->linkCount = -1;
  d->procCapacity = 32;
  d->procBuffer = calloc(32, 32);
  gpm_support_t support = {1, 0};
  if (p_nvmlGpmQueryDeviceSupport && p_nvmlGpmQueryDeviceSupport(d->handle, &support) == SUCCESS
      && support.isSupportedDevice && p_nvmlGpmSampleAlloc(&d->gpmPrevious) == SUCCESS) {
    if (p_nvmlGpmSampleAlloc(&d->gpmCurrent) == SUCCESS) d->gpm = 1;
    else p_nvmlGpmSampleFree(d->gpmPrevious);
  }
  return 1;
}

static long tick(void) {
  callsThisTick = 0;
  for (int i = 0; i < deviceCount; i++) readDevice(&devices[i]);
  return callsThisTick;
}

static int cmpDouble(const void *a, const void *b) {
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static int cmpTotalDesc(const void *a, const void *b) {
  long long x = ((const fn_times_t *) a)->totalNs, y = ((const fn_times_t *) b)->totalNs;
  return x > y ? -1 : x < y;
}

/* --by-function: where a tick's time goes, the most expensive function first */
static void printByFunction(int ticks, const char *per) {
  long long all = 0;
  for (int i = 0; i < fnCount; i++) all += fnTimes[i].totalNs;
  qsort(fnTimes, (size_t) fnCount, sizeof(fn_times_t), cmpTotalDesc);
  printf("per function, over %d %ss (each call timed on its own):\n", ticks, per);
  char callsPer[16];
  snprintf(callsPer, sizeof callsPer, "calls/%s", per);
  printf("%-42s %10s %10s %10s %10s %7s\n", "function", callsPer, "p50 us", "p99 us", "max us", "share");
  for (int i = 0; i < fnCount; i++) {
    fn_times_t *f = &fnTimes[i];
    qsort(f->us, (size_t) f->count, sizeof(double), cmpDouble);
    long p99 = (long) (f->count * 0.99) < f->count ? (long) (f->count * 0.99) : f->count - 1;
    printf("%-42s %10.1f %10.2f %10.2f %10.2f %6.1f%%\n", f->name, (double) f->count / ticks, f->us[f->count / 2],
           f->us[p99], f->us[f->count - 1], all ? 100.0 * f->totalNs / all : 0);
  }
}

static void sleepMs(long ms) {
  if (ms <= 0) return;
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- the --background mode: what NvmlDeviceReader.readBackground costs, off the tick's path */
#define PERF_POLICY_FIRST 74
#define PERF_POLICIES 8
static const char *PERF_POLICY_NAMES[PERF_POLICIES] = {"power", "thermal", "sync_boost", "board_limit",
    "low_utilization", "reliability", "below_application_clocks", "below_base_clocks"};

/* R rounds over every device of the energy counter and the eight perf-policy fields in one batched call, as the
   background read makes them; then device 0's values and the driver's own latency for each field. */
static int printBackground(int rounds, long intervalMs) {
  field_t request[PERF_POLICIES];
  byFunction = 1;
  for (int r = 0; r < rounds; r++) {
    for (int i = 0; i < deviceCount; i++) {
      unsigned long long mj = 0;
      CALL(nvmlDeviceGetTotalEnergyConsumption, devices[i].handle, &mj);
      memset(request, 0, sizeof request);
      for (int f = 0; f < PERF_POLICIES; f++) request[f].fieldId = PERF_POLICY_FIRST + f;
      CALL(nvmlDeviceGetFieldValues, devices[i].handle, PERF_POLICIES, request);
    }
    sleepMs(intervalMs);
  }
  printByFunction(rounds, "round");
  unsigned long long mj = 0;
  int rc = p_nvmlDeviceGetTotalEnergyConsumption ? p_nvmlDeviceGetTotalEnergyConsumption(devices[0].handle, &mj)
                                                 : FUNCTION_NOT_FOUND;
  printf("GPU 0 energy: rc %d, %llu mJ\n", rc, mj);
  printf("GPU 0 perf-policy fields (accelerator_clock_limited_seconds_total):\n");
  printf("%-6s %-26s %4s %10s %18s %12s\n", "field", "limit", "rc", "valueType", "value (ns)", "latency us");
  for (int f = 0; f < PERF_POLICIES; f++) {
    field_t one = {0};
    one.fieldId = PERF_POLICY_FIRST + f;
    rc = p_nvmlDeviceGetFieldValues ? p_nvmlDeviceGetFieldValues(devices[0].handle, 1, &one) : FUNCTION_NOT_FOUND;
    printf("%-6u %-26s %4d %10d %18llu %12lld\n", one.fieldId, PERF_POLICY_NAMES[f], rc == SUCCESS ? one.nvmlReturn : rc,
           one.valueType, one.value, one.latencyUsec);
  }
  return 0;
}

/* ---- the --counts mode: the double's per-function call counters after one steady tick */
typedef struct { char name[64]; long count; } named_count_t;
static int cmpName(const void *a, const void *b) {
  return strcmp(((const named_count_t *) a)->name, ((const named_count_t *) b)->name);
}
static int printCounts(void) {
  long (*callAt)(int, char *, unsigned int) = (long (*)(int, char *, unsigned int)) dlsym(lib, "nvmlDouble_callAt");
  void (*clearCalls)(void) = (void (*)(void)) dlsym(lib, "nvmlDouble_clearCalls");
  if (!callAt || !clearCalls) {
    fprintf(stderr, "--counts needs the test double (nvmlDouble_callAt); this library is not it\n");
    return 2;
  }
  clearCalls();
  long made = tick();
  named_count_t counts[256];
  int n = 0;
  for (long c; n < 256 && (c = callAt(n, counts[n].name, sizeof counts[n].name)) >= 0; n++) counts[n].count = c;
  qsort(counts, (size_t) n, sizeof counts[0], cmpName);
  for (int i = 0; i < n; i++) if (counts[i].count > 0) printf("%s %ld\n", counts[i].name, counts[i].count);
  fprintf(stderr, "one tick, %d devices: %ld NVML calls\n", deviceCount, made);
  return 0;
}

/* ================= stand-in for nvidia-smi --query-gpu ================= */

static const char *SMI_FIELDS[] = {
  "timestamp", "index", "uuid", "name", "driver_version", "utilization.gpu", "utilization.memory", "memory.total",
  "memory.used", "memory.reserved", "memory.free", "power.draw", "power.draw.average", "power.draw.instant",
  "power.limit", "enforced.power.limit", "temperature.gpu", "temperature.memory", "clocks.current.sm",
  "clocks.current.memory", "clocks.current.graphics", "clocks.max.sm", "clocks.max.memory", "clocks.max.graphics",
  "pstate", "pcie.link.gen.current", "pcie.link.gen.max", "pcie.link.width.current", "pcie.link.width.max",
  "fan.speed", "clocks_event_reasons.active", NULL};

static int smiKnown(const char *f) {
  for (int i = 0; SMI_FIELDS[i]; i++) if (strcmp(SMI_FIELDS[i], f) == 0) return 1;
  return 0;
}
static const char *smiUnit(const char *f) {
  if (!strncmp(f, "utilization.", 12) || !strcmp(f, "fan.speed")) return " [%]";
  if (!strncmp(f, "memory.", 7)) return " [MiB]";
  if (!strncmp(f, "power.", 6) || !strcmp(f, "enforced.power.limit")) return " [W]";
  if (!strncmp(f, "clocks.current", 14) || !strncmp(f, "clocks.max", 10)) return " [MHz]";
  return "";
}

static void smiValue(const char *f, unsigned int index, dev_t_ h, int units, char *out, size_t len) {
  unsigned int u;
  unsigned long long ull;
  const char *na = "[N/A]";
  snprintf(out, len, "%s", na);
#define UNIT(s) (units ? (s) : "")
  if (!strcmp(f, "timestamp")) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y/%m/%d %H:%M:%S", &tm);
    snprintf(out, len, "%s.%03ld", buf, ts.tv_nsec / 1000000L);
  } else if (!strcmp(f, "index")) {
    snprintf(out, len, "%u", index);
  } else if (!strcmp(f, "uuid") || !strcmp(f, "name")) {
    char text[96];
    int rc = !strcmp(f, "uuid") ? CALL(nvmlDeviceGetUUID, h, text, sizeof text) : CALL(nvmlDeviceGetName, h, text, sizeof text);
    if (rc == SUCCESS) snprintf(out, len, "%s", text);
  } else if (!strcmp(f, "driver_version")) {
    char text[96];
    if (CALL(nvmlSystemGetDriverVersion, text, sizeof text) == SUCCESS) snprintf(out, len, "%s", text);
  } else if (!strncmp(f, "utilization.", 12)) {
    util_t ut;
    if (CALL(nvmlDeviceGetUtilizationRates, h, &ut) == SUCCESS)
      snprintf(out, len, "%u%s", f[12] == 'g' ? ut.gpu : ut.memory, UNIT(" %"));
  } else if (!strncmp(f, "memory.", 7)) {
    mem2_t m;
    m.version = (unsigned int) sizeof(mem2_t) | (2u << 24);
    if (CALL(nvmlDeviceGetMemoryInfo_v2, h, &m) == SUCCESS) {
      unsigned long long v = !strcmp(f, "memory.total") ? m.total : !strcmp(f, "memory.used") ? m.used
                           : !strcmp(f, "memory.reserved") ? m.reserved : m.free;
      snprintf(out, len, "%llu%s", v / (1024ULL * 1024ULL), UNIT(" MiB"));
    }
  } else if (!strcmp(f, "power.draw") || !strcmp(f, "power.draw.average") || !strcmp(f, "power.draw.instant")) {
    int rc;
    double w = 0;
    if (!strcmp(f, "power.draw")) {
      rc = CALL(nvmlDeviceGetPowerUsage, h, &u);
      w = u / 1000.0;
    } else {
      field_t fv;
      memset(&fv, 0, sizeof fv);
      fv.fieldId = !strcmp(f, "power.draw.average") ? 185 : 186;
      rc = CALL(nvmlDeviceGetFieldValues, h, 1, &fv);
      if (rc == SUCCESS) rc = fv.nvmlReturn;
      w = (unsigned int) fv.value / 1000.0;
    }
    if (rc == SUCCESS) snprintf(out, len, "%.2f%s", w, UNIT(" W"));
  } else if (!strcmp(f, "power.limit")) {
    if (CALL(nvmlDeviceGetPowerManagementLimit, h, &u) == SUCCESS) snprintf(out, len, "%.2f%s", u / 1000.0, UNIT(" W"));
  } else if (!strcmp(f, "enforced.power.limit")) {
    if (CALL(nvmlDeviceGetEnforcedPowerLimit, h, &u) == SUCCESS) snprintf(out, len, "%.2f%s", u / 1000.0, UNIT(" W"));
  } else if (!strcmp(f, "temperature.gpu")) {
    if (CALL(nvmlDeviceGetTemperature, h, 0, &u) == SUCCESS) snprintf(out, len, "%u", u);
  } else if (!strcmp(f, "temperature.memory")) {
    field_t fv;
    memset(&fv, 0, sizeof fv);
    fv.fieldId = 82;
    if (CALL(nvmlDeviceGetFieldValues, h, 1, &fv) == SUCCESS && fv.nvmlReturn == SUCCESS)
      snprintf(out, len, "%u", (unsigned int) fv.value);
  } else if (!strncmp(f, "clocks.current.", 15) || !strncmp(f, "clocks.max.", 11)) {
    int max = !strncmp(f, "clocks.max.", 11);
    const char *which = f + (max ? 11 : 15);
    int type = !strcmp(which, "sm") ? 1 : !strcmp(which, "memory") ? 2 : 0;
    int rc = max ? CALL(nvmlDeviceGetMaxClockInfo, h, type, &u) : CALL(nvmlDeviceGetClockInfo, h, type, &u);
    if (rc == SUCCESS) snprintf(out, len, "%u%s", u, UNIT(" MHz"));
  } else if (!strcmp(f, "pstate")) {
    if (CALL(nvmlDeviceGetPerformanceState, h, &u) == SUCCESS) snprintf(out, len, "P%u", u);
  } else if (!strncmp(f, "pcie.link.", 10)) {
    int rc = !strcmp(f, "pcie.link.gen.current") ? CALL(nvmlDeviceGetCurrPcieLinkGeneration, h, &u)
           : !strcmp(f, "pcie.link.gen.max") ? CALL(nvmlDeviceGetMaxPcieLinkGeneration, h, &u)
           : !strcmp(f, "pcie.link.width.current") ? CALL(nvmlDeviceGetCurrPcieLinkWidth, h, &u)
           : CALL(nvmlDeviceGetMaxPcieLinkWidth, h, &u);
    if (rc == SUCCESS) snprintf(out, len, "%u", u);
  } else if (!strcmp(f, "fan.speed")) {
    if (CALL(nvmlDeviceGetFanSpeed, h, &u) == SUCCESS) snprintf(out, len, "%u%s", u, UNIT(" %"));
  } else if (!strcmp(f, "clocks_event_reasons.active")) {
    if (CALL(nvmlDeviceGetCurrentClocksEventReasons, h, &ull) == SUCCESS) snprintf(out, len, "0x%016llX", ull);
  }
#undef UNIT
}

static int smiStandin(int argc, char **argv) {
  const char *query = NULL;
  int header = 1, units = 1;
  long loopMs = -1;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--help-query-gpu")) {
      printf("Stand-in for nvidia-smi (acceltel bench/native/nvml_tick_cost.c --smi-standin), fields it answers:\n\n");
      for (int f = 0; SMI_FIELDS[f]; f++) printf("\"%s\"\nsee nvidia-smi --help-query-gpu\n\n", SMI_FIELDS[f]);
      return 0;
    }
    if (!strncmp(argv[i], "--query-gpu=", 12)) query = argv[i] + 12;
    else if (!strncmp(argv[i], "--format=", 9)) {
      header = !strstr(argv[i], "noheader");
      units = !strstr(argv[i], "nounits");
    } else if (!strcmp(argv[i], "-lms") && i + 1 < argc) loopMs = atol(argv[++i]);
    else if (!strcmp(argv[i], "-l") && i + 1 < argc) loopMs = atol(argv[++i]) * 1000;
    else if (!strncmp(argv[i], "--loop-ms=", 10)) loopMs = atol(argv[i] + 10);
  }
  if (!query) {
    fprintf(stderr, "usage: nvml_tick_cost --smi-standin LIB --query-gpu=F1,F2 --format=csv[,nounits] [-lms MS]\n");
    return 2;
  }
  char *fields[64];
  int nf = 0;
  char *copy = strdup(query);
  for (char *tok = strtok(copy, ","); tok && nf < 64; tok = strtok(NULL, ",")) {
    while (*tok == ' ') tok++;
    if (!smiKnown(tok)) {
      printf("Field \"%s\" is not a valid field to query.\n\n", tok);
      return 2;
    }
    fields[nf++] = tok;
  }
  unsigned int count = 0;
  if (p_nvmlDeviceGetCount_v2(&count) != SUCCESS) return 9;
  if (header) {
    for (int f = 0; f < nf; f++) printf("%s%s%s", f ? ", " : "", fields[f], smiUnit(fields[f]));
    printf("\n");
  }
  for (;;) {
    long long start = monoNs();
    for (unsigned int i = 0; i < count; i++) {
      dev_t_ h;
      if (p_nvmlDeviceGetHandleByIndex_v2(i, &h) != SUCCESS) continue;
      char value[128];
      for (int f = 0; f < nf; f++) {
        smiValue(fields[f], i, h, units, value, sizeof value);
        printf("%s%s", f ? ", " : "", value);
      }
      printf("\n");
    }
    fflush(stdout);
    if (loopMs < 0) return 0;
    long long left = loopMs * 1000000LL - (monoNs() - start);
    if (left > 0) sleepMs((long) (left / 1000000LL));
  }
}

static int loadLibrary(const char *path) {
  lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
    return 0;
  }
  resolveAll();
  if (!p_nvmlInit_v2 || !p_nvmlDeviceGetCount_v2 || !p_nvmlDeviceGetHandleByIndex_v2) {
    fprintf(stderr, "%s is not an NVML library (no nvmlInit_v2)\n", path);
    return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc >= 3 && !strcmp(argv[1], "--smi-standin")) {
    if (!loadLibrary(argv[2])) return 1;
    int rc = p_nvmlInit_v2();
    if (rc != SUCCESS) { fprintf(stderr, "nvmlInit_v2 returned %d\n", rc); return 1; }
    return smiStandin(argc - 3, argv + 3);
  }
  if (argc < 2 || argv[1][0] == '-') {
    fprintf(stderr, "usage: nvml_tick_cost LIB [--devices N] [--nvlinks L] [--ticks T] [--warmup W] [--interval-ms MS] [--by-function] [--counts] [--background R]\n"
                    "       nvml_tick_cost --smi-standin LIB --query-gpu=... --format=csv,nounits [-lms MS]\n");
    return 2;
  }
  const char *path = argv[1];
  int wanted = -1, nvlinks = -1, ticks = 10000, warmup = 100, counts = 0, background = 0;
  long intervalMs = 0;
  for (int i = 2; i < argc; i++) {
    if (!strcmp(argv[i], "--devices") && i + 1 < argc) wanted = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--nvlinks") && i + 1 < argc) nvlinks = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--ticks") && i + 1 < argc) ticks = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--interval-ms") && i + 1 < argc) intervalMs = atol(argv[++i]);
    else if (!strcmp(argv[i], "--counts")) counts = 1;
    else if (!strcmp(argv[i], "--by-function")) byFunction = 1;
    else if (!strcmp(argv[i], "--background") && i + 1 < argc) background = atoi(argv[++i]);
    else { fprintf(stderr, "unknown argument %s\n", argv[i]); return 2; }
  }
  if (ticks < 1) ticks = 1;
  if (warmup < 1) warmup = 1;
  if (!loadLibrary(path)) return 1;
  void (*reset)(unsigned int) = (void (*)(unsigned int)) dlsym(lib, "nvmlDouble_reset");
  if (reset && wanted > 0) reset((unsigned int) wanted); /* the double, as TickBenchmark sets it up */
  if (nvlinks >= 0) {
    void (*setUint)(const char *, unsigned int, unsigned long long) =
        (void (*)(const char *, unsigned int, unsigned long long)) dlsym(lib, "nvmlDouble_setUint");
    if (!reset || !setUint || wanted <= 0) {
      fprintf(stderr, "--nvlinks sets the test double's link count: it needs the double and --devices\n");
      return 2;
    }
    for (int i = 0; i < wanted; i++) setUint("nvlink.count", (unsigned int) i, (unsigned long long) nvlinks);
  }
  int rc = p_nvmlInit_v2();
  if (rc != SUCCESS) { fprintf(stderr, "nvmlInit_v2 returned %d\n", rc); return 1; }
  unsigned int available = 0;
  if (p_nvmlDeviceGetCount_v2(&available) != SUCCESS || available == 0) { fprintf(stderr, "no GPUs\n"); return 1; }
  unsigned int n = wanted > 0 && (unsigned int) wanted < available ? (unsigned int) wanted : available;
  if (n > MAX_DEVICES) n = MAX_DEVICES;
  if (wanted > 0 && (unsigned int) wanted > available)
    fprintf(stderr, "asked for %d GPUs, NVML has %u: using %u\n", wanted, available, n);
  for (unsigned int i = 0; i < n; i++) {
    if (openDevice(&devices[deviceCount], i)) deviceCount++;
    else fprintf(stderr, "GPU %u: no handle, skipped\n", i);
  }
  if (background > 0) return printBackground(background, intervalMs);
  int timeFunctions = byFunction;
  byFunction = 0;
  for (int i = 0; i < warmup; i++) { tick(); sleepMs(intervalMs); }
  if (counts) return printCounts();
  byFunction = timeFunctions;

  double *us = malloc(sizeof(double) * (size_t) ticks);
  long totalCalls = 0, lastCalls = 0;
  for (int i = 0; i < ticks; i++) {
    long long t0 = monoNs();
    lastCalls = tick();
    long long t1 = monoNs();
    us[i] = (t1 - t0) / 1000.0;
    totalCalls += lastCalls;
    sleepMs(intervalMs);
  }
  double sum = 0;
  for (int i = 0; i < ticks; i++) sum += us[i];
  qsort(us, (size_t) ticks, sizeof(double), cmpDouble);
  double p50 = us[(int) (ticks * 0.50)], p99 = us[(int) (ticks * 0.99) < ticks ? (int) (ticks * 0.99) : ticks - 1];
  char driver[96] = "unknown";
  if (p_nvmlSystemGetDriverVersion) p_nvmlSystemGetDriverVersion(driver, sizeof driver);
  printf("library: %s (driver %s)\n", path, driver);
  printf("devices: %d, ticks: %d after %d warm-up, interval %ld ms\n", deviceCount, ticks, warmup, intervalMs);
  printf("tick (all devices) us: mean %.2f  p50 %.2f  p99 %.2f  max %.2f\n", sum / ticks, p50, p99, us[ticks - 1]);
  printf("per device us: mean %.2f\n", sum / ticks / deviceCount);
  printf("NVML calls per tick: %.1f mean, %ld in the last (%.1f per device)\n", (double) totalCalls / ticks,
         lastCalls, (double) lastCalls / deviceCount);
  free(us);
  if (byFunction) printByFunction(ticks, "tick");
  for (int i = 0; i < deviceCount; i++) {
    if (devices[i].gpm) { p_nvmlGpmSampleFree(devices[i].gpmPrevious); p_nvmlGpmSampleFree(devices[i].gpmCurrent); }
  }
  p_nvmlShutdown();
  return 0;
}
