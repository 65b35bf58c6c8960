/*
 * nvml_double.c: a TEST DOUBLE of libnvidia-ml (NVML) for acceltel's tests.
 *
 * This is NOT NVIDIA code and contains none. It implements, from the public ABI facts in
 * docs (shared/reference/nvml.md), the small subset of NVML that acceltel's JNA backend calls: the
 * same exported symbol names, struct layouts and return codes, backed by an in-memory model of a
 * few GPUs whose values the tests control through extra functions prefixed nvmlDouble_.
 *
 * Defaults look like an idle NVIDIA H100 80GB HBM3 (driver 580.159.04), as recorded in
 * shared/data/h100-trace: fan NOT_SUPPORTED, no NVLink, MIG disabled, GPM supported.
 *
 * Without any control call (a plain CLI run of the exporter against the double), the first nvmlInit_v2 sets
 * the model up from the environment:
 *   NVML_DOUBLE_DEVICES=n   n GPUs with the defaults below (1..8, default 1)
 *   NVML_DOUBLE_LOAD=1      the values move with wall-clock time (CLOCK_REALTIME), so the numbers look live:
 *                           each GPU alternates 20 s busy / 5 s idle (shifted 3 s per GPU index), with a
 *                           utilization sample every 200 ms and a power sample every 20 ms in the sample rings
 *                           (timestamps in us since the epoch, as the driver's), the 1 s power average, energy
 *                           growing with power, temperature, clocks, throttle reasons and memory following the
 *                           phase. Values are a pure function of the time, so two processes loading the double
 *                           at once (the exporter and the nvidia-smi stand-in) see the same GPUs; only the energy
 *                           counter is per process ("since driver reload").
 * nvmlDouble_reset ignores both variables and turns the load off: tests control every value themselves.
 *
 * Control API (all thread-safe, one global mutex):
 *   nvmlDouble_reset(n)                      n devices with defaults, clears forced codes, delays, events, counters
 *   nvmlDouble_setUint(key, dev, value)      numeric quantity, e.g. "power.usage" (mW), "memory.used" (bytes);
 *                                            "nvlink.error.<counter>.unsupported" and "ecc.<error>.<scope>.unsupported"
 *                                            = 1 make that one counter answer NOT_SUPPORTED, the others not
 *   nvmlDouble_setString(key, dev, value)    "uuid", "name", "serial", "vbios", "busId"
 *   nvmlDouble_setReturn(function, dev, rc)  force rc from function for dev (dev = -1: every device / global)
 *   nvmlDouble_setField(dev, fieldId, valueType, value, rc)
 *   nvmlDouble_pushSample(type, dev, timestampUs, value)   value stored as unsigned int (valueType UINT)
 *   nvmlDouble_pushSampleTyped(type, dev, timestampUs, valueType, rawBits)
 *   nvmlDouble_injectXid(dev, xid)           wakes nvmlEventSetWait_v2
 *   nvmlDouble_setGpm(dev, metricId, value) / nvmlDouble_setGpmSupported(dev, 0|1)
 *   nvmlDouble_setLost(dev, 0|1)             every call on the device returns NVML_ERROR_GPU_IS_LOST
 *   nvmlDouble_addProcess(dev, pid, usedBytes) / nvmlDouble_setProcessStride(24|32)
 *   nvmlDouble_setMig(dev, slot, uuid, name, gi, ci, totalBytes, usedBytes)
 *   nvmlDouble_setDelay(function, dev, us)   function sleeps us microseconds for dev (dev = -1: every device)
 *                                            before it answers; 0 removes the delay and wakes calls already
 *                                            sleeping in it. The sleeper waits on a condition variable, so
 *                                            the global mutex is free meanwhile and other devices answer
 *   nvmlDouble_calls(function)               how often a function was called (all devices)
 *   nvmlDouble_callAt(i, name, length)       the i-th counted function: copies its name, returns its count,
 *                                            or -1 past the last one (to list every counter)
 *   nvmlDouble_clearCalls()                  zeroes the call counters
 *   nvmlDouble_initCount()                   nvmlInit_v2 minus nvmlShutdown calls
 *   nvmlDouble_sizeof(structName) / nvmlDouble_offsetof(structName, field)   the C compiler's layout
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPORT __attribute__((visibility("default")))

/* ---- return codes */
#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_NOT_FOUND 6
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_TIMEOUT 10
#define NVML_ERROR_GPU_IS_LOST 15
#define NVML_ERROR_ARGUMENT_VERSION_MISMATCH 25
#define NVML_ERROR_UNKNOWN 999

/* ---- ABI types, laid out as in nvml.h (NVML API 13) */
typedef struct nvmlDevice_st *nvmlDevice_t;
typedef struct nvmlEventSet_st *nvmlEventSet_t;
typedef struct nvmlGpmSample_st *nvmlGpmSample_t;

typedef struct {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int version; unsigned long long total, reserved, free, used; } nvmlMemory_v2_t;
typedef struct { unsigned int version; int sensorType; int temperature; } nvmlTemperature_v1_t;
typedef struct { unsigned long long bar1Total, bar1Free, bar1Used; } nvmlBAR1Memory_t;
typedef union {
  double dVal; int siVal; unsigned int uiVal; unsigned long ulVal; unsigned long long ullVal;
  long long sllVal; unsigned short usVal;
} nvmlValue_t;
typedef struct {
  unsigned int fieldId, scopeId;
  long long timestamp, latencyUsec;
  int valueType;
  int nvmlReturn;
  nvmlValue_t value;
} nvmlFieldValue_t;
typedef struct { unsigned long long timeStamp; nvmlValue_t sampleValue; } nvmlSample_t;
typedef struct {
  unsigned int pid; unsigned long long usedGpuMemory; unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t;
typedef struct {
  unsigned int pid; unsigned long long usedGpuMemory; unsigned int gpuInstanceId, computeInstanceId;
  unsigned long long usedGpuCcProtectedMemory;
} nvmlProcessDetail_v1_t;
typedef struct {
  nvmlDevice_t device; unsigned long long eventType, eventData;
  unsigned int gpuInstanceId, computeInstanceId;
} nvmlEventData_t;
typedef struct { unsigned int version, isSupportedDevice; } nvmlGpmSupport_t;
typedef struct {
  unsigned int metricId; int nvmlReturn; double value;
  struct { char *shortName; char *longName; char *unit; } metricInfo;
} nvmlGpmMetric_t;
#define NVML_GPM_METRIC_MAX 333
typedef struct {
  unsigned int version, numMetrics;
  nvmlGpmSample_t sample1, sample2;
  nvmlGpmMetric_t metrics[NVML_GPM_METRIC_MAX];
} nvmlGpmMetricsGet_t;

/* ---- the model */
#define MAX_DEV 8
#define MAX_MIG 7
#define MAX_KEYS 160
#define MAX_SAMPLES 256
#define MAX_TYPES 10
#define MAX_FIELDS 64
#define MAX_PROCS 64
#define MAX_GPM 128
#define MAX_FORCED 128
#define MAX_EVENTS 256
#define MAX_CALLS 256

typedef struct { char key[48]; unsigned long long value; } num_t;
typedef struct { char key[24]; char value[96]; } str_t;
typedef struct { unsigned long long ts; unsigned long long raw; } sample_t;
typedef struct { unsigned int id; int valueType; unsigned long long raw; int rc; } field_t;

struct nvmlDevice_st {
  int index;     /* GPU index, or parent index for a MIG device */
  int migSlot;   /* -1 for a GPU */
  int present;
  int lost;
  num_t nums[MAX_KEYS]; int numCount;
  str_t strs[8]; int strCount;
  sample_t samples[MAX_TYPES][MAX_SAMPLES]; int sampleCount[MAX_TYPES]; int sampleType[MAX_TYPES];
  field_t fields[MAX_FIELDS]; int fieldCount;
  nvmlProcessInfo_t procs[MAX_PROCS]; int procCount;
  int gpmSupported; unsigned int gpmIds[MAX_GPM]; double gpmValues[MAX_GPM]; int gpmCount;
};

struct nvmlEventSet_st { unsigned long long mask[MAX_DEV]; };
struct nvmlGpmSample_st { int device; int taken; };
typedef struct { int device; unsigned long long xid; } event_t;
typedef struct { char fn[64]; int device; int rc; } forced_t;
typedef struct { char fn[64]; long count; } calls_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t eventCond = PTHREAD_COND_INITIALIZER;
static struct nvmlDevice_st gpus[MAX_DEV];
static struct nvmlDevice_st migs[MAX_DEV][MAX_MIG];
static unsigned int deviceCount = 1;
static int initCount = 0;
static int processStride = 24;
static forced_t forced[MAX_FORCED]; static int forcedCount;
static event_t events[MAX_EVENTS]; static int eventCount;
static calls_t calls[MAX_CALLS]; static int callsCount;
static int initialized = 0;
static int everReset = 0;   /* a test took control: the environment is ignored */
static int loadEnabled = 0; /* NVML_DOUBLE_LOAD=1 */

typedef struct { char fn[64]; int device; unsigned int micros; } delay_t;
static delay_t delays[MAX_FORCED]; static int delayCount;
static pthread_cond_t delayCond;
static pthread_once_t delayOnce = PTHREAD_ONCE_INIT;

#define LOCK pthread_mutex_lock(&mu)
#define RETURN(x) do { int _r = (x); pthread_mutex_unlock(&mu); return _r; } while (0)

static num_t *findNum(struct nvmlDevice_st *d, const char *key, int create) {
  for (int i = 0; i < d->numCount; i++) if (strcmp(d->nums[i].key, key) == 0) return &d->nums[i];
  if (!create || d->numCount >= MAX_KEYS) return NULL;
  num_t *n = &d->nums[d->numCount++];
  snprintf(n->key, sizeof n->key, "%s", key);
  n->value = 0;
  return n;
}
static void setNum(struct nvmlDevice_st *d, const char *key, unsigned long long v) {
  num_t *n = findNum(d, key, 1);
  if (n) n->value = v;
}
static unsigned long long num(struct nvmlDevice_st *d, const char *key, unsigned long long dflt) {
  num_t *n = findNum(d, key, 0);
  return n ? n->value : dflt;
}
static void setStr(struct nvmlDevice_st *d, const char *key, const char *v) {
  for (int i = 0; i < d->strCount; i++)
    if (strcmp(d->strs[i].key, key) == 0) { snprintf(d->strs[i].value, sizeof d->strs[i].value, "%s", v); return; }
  if (d->strCount >= 8) return;
  str_t *s = &d->strs[d->strCount++];
  snprintf(s->key, sizeof s->key, "%s", key);
  snprintf(s->value, sizeof s->value, "%s", v);
}
static const char *str(struct nvmlDevice_st *d, const char *key) {
  for (int i = 0; i < d->strCount; i++) if (strcmp(d->strs[i].key, key) == 0) return d->strs[i].value;
  return "";
}
static void setField(struct nvmlDevice_st *d, unsigned int id, int valueType, unsigned long long raw, int rc) {
  for (int i = 0; i < d->fieldCount; i++)
    if (d->fields[i].id == id) { d->fields[i].valueType = valueType; d->fields[i].raw = raw; d->fields[i].rc = rc; return; }
  if (d->fieldCount >= MAX_FIELDS) return;
  d->fields[d->fieldCount++] = (field_t){id, valueType, raw, rc};
}

static void countCall(const char *fn) {
  for (int i = 0; i < callsCount; i++) if (strcmp(calls[i].fn, fn) == 0) { calls[i].count++; return; }
  if (callsCount >= MAX_CALLS) return;
  snprintf(calls[callsCount].fn, sizeof calls[callsCount].fn, "%s", fn);
  calls[callsCount++].count = 1;
}
static int forcedRc(const char *fn, int device) {
  for (int i = forcedCount - 1; i >= 0; i--)
    if ((forced[i].device == device || forced[i].device == -1) && strcmp(forced[i].fn, fn) == 0) return forced[i].rc;
  return 0;
}

/* ---- delays: a call that hangs for one device without blocking the others */

static void initDelayCond(void) {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&delayCond, &attr);
  pthread_condattr_destroy(&attr);
}
static unsigned int delayFor(const char *fn, int device) {
  unsigned int any = 0;
  for (int i = 0; i < delayCount; i++) {
    if (strcmp(delays[i].fn, fn) != 0) continue;
    if (delays[i].device == device) return delays[i].micros;
    if (delays[i].device == -1) any = delays[i].micros;
  }
  return any;
}
static struct nvmlDevice_st *resolve(nvmlDevice_t h);
/* Called with mu held; returns with mu held. Waits on delayCond, which releases mu while waiting, and re-reads
 * the delay on every wake-up, so nvmlDouble_setDelay(fn, dev, 0) ends a wait early. */
static void waitDelay(const char *fn, nvmlDevice_t h) {
  if (delayCount == 0) return;
  struct nvmlDevice_st *d = h ? resolve(h) : NULL;
  int device = d ? d->index : -1;
  if (delayFor(fn, device) == 0) return;
  pthread_once(&delayOnce, initDelayCond);
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    unsigned int us = delayFor(fn, device);
    struct timespec until = start;
    until.tv_sec += us / 1000000;
    until.tv_nsec += (long) (us % 1000000) * 1000L;
    if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec)) return;
    pthread_cond_timedwait(&delayCond, &mu, &until);
  }
}

/* ---- NVML_DOUBLE_LOAD: values as a pure function of wall-clock time */

#define LOAD_PERIOD_US 25000000ULL /* 20 s busy, 5 s idle */
#define LOAD_BUSY_US 20000000ULL
#define UTIL_STEP_US 200000ULL     /* the utilization ring's cadence on an H100 */
#define POWER_STEP_US 20000ULL     /* the power ring's cadence */
#define LOAD_MEMORY_USED 42949672960ULL

static unsigned long long nowUs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (unsigned long long) ts.tv_sec * 1000000ULL + (unsigned long long) ts.tv_nsec / 1000ULL;
}
static unsigned int noise(int device, unsigned long long step, unsigned int salt) {
  unsigned long long x = step * 0x9E3779B97F4A7C15ULL ^ ((unsigned long long) device << 32) ^ salt;
  x ^= x >> 31; x *= 0xBF58476D1CE4E5B9ULL; x ^= x >> 27;
  return (unsigned int) (x >> 32);
}
static int busyAt(int device, unsigned long long us) {
  return (us + (unsigned long long) device * 3000000ULL) % LOAD_PERIOD_US < LOAD_BUSY_US;
}
/* Utilization (%) of the 200 ms window ending at step*UTIL_STEP_US. */
static unsigned int utilAt(int device, unsigned long long step) {
  return busyAt(device, step * UTIL_STEP_US - 1) ? 96 + noise(device, step, 1) % 5 : 0;
}
/* Power (mW) of the 20 ms window ending at step*POWER_STEP_US. */
static unsigned int powerAt(int device, unsigned long long step) {
  return busyAt(device, step * POWER_STEP_US - 1) ? 560000 + noise(device, step, 2) % 90000
                                                 : 69000 + noise(device, step, 3) % 4000;
}
/* Appends to a ring that holds `capacity` samples, as the driver's (72 utilization, 120 power on an H100). */
static void pushRing(struct nvmlDevice_st *d, int type, int capacity, unsigned long long ts, unsigned long long raw) {
  int drop = d->sampleCount[type] - capacity + 1;
  if (drop > 0) {
    memmove(&d->samples[type][0], &d->samples[type][drop], sizeof(sample_t) * (size_t) (d->sampleCount[type] - drop));
    d->sampleCount[type] -= drop;
  }
  d->sampleType[type] = 1;
  d->samples[type][d->sampleCount[type]++] = (sample_t){ts, raw};
}
/* Last ring step generated per device and type; 0 = not started (the first call backfills the ring). */
static unsigned long long loadUtilStep[MAX_DEV], loadPowerStep[MAX_DEV];
/* Brings a GPU's values up to now; called with mu held from every device call while the load is on. */
static void advanceLoad(struct nvmlDevice_st *d) {
  int i = d->index;
  unsigned long long now = nowUs();
  unsigned long long utilStep = now / UTIL_STEP_US, powerStep = now / POWER_STEP_US;
  if (loadUtilStep[i] == 0 || utilStep - loadUtilStep[i] > 72) loadUtilStep[i] = utilStep - 72;
  for (unsigned long long s = loadUtilStep[i] + 1; s <= utilStep; s++) pushRing(d, 1, 72, s * UTIL_STEP_US, utilAt(i, s));
  loadUtilStep[i] = utilStep;
  unsigned long long energy = num(d, "energy", 0);
  if (loadPowerStep[i] == 0 || powerStep - loadPowerStep[i] > 120) loadPowerStep[i] = powerStep - 120;
  for (unsigned long long s = loadPowerStep[i] + 1; s <= powerStep; s++) {
    unsigned int mw = powerAt(i, s);
    pushRing(d, 0, 120, s * POWER_STEP_US, mw);
    energy += (unsigned long long) mw * POWER_STEP_US / 1000000ULL; /* mW x s = mJ */
  }
  loadPowerStep[i] = powerStep;
  setNum(d, "energy", energy);
  unsigned long long sum = 0; /* the 1 s average, as nvmlDeviceGetPowerUsage on Hopper */
  for (unsigned long long s = powerStep - 49; s <= powerStep; s++) sum += powerAt(i, s);
  setNum(d, "power.usage", sum / 50);
  int busy = busyAt(i, now);
  setNum(d, "util.gpu", utilAt(i, utilStep));
  setNum(d, "util.memory", busy ? 30 + noise(i, utilStep, 4) % 8 : 0);
  setNum(d, "temperature", busy ? 56 + noise(i, now / 1000000ULL, 5) % 3 : 33);
  setNum(d, "clock.sm", busy ? 1980 : 345);
  setNum(d, "clock.graphics", busy ? 1980 : 345);
  setNum(d, "clock.reasons", busy ? 0 : 0x1);
  setNum(d, "memory.used", LOAD_MEMORY_USED);
  setNum(d, "memory.free", num(d, "memory.total", 0) - num(d, "memory.reserved", 0) - LOAD_MEMORY_USED);
  setField(d, 82, 1, busy ? 45 : 34, 0);
  setField(d, 185, 1, sum / 50, 0);                   /* POWER_AVERAGE */
  setField(d, 186, 1, powerAt(i, powerStep), 0);      /* POWER_INSTANT */
}

/* Resolves a GPU or MIG handle; NULL when the handle is not one of ours. */
static struct nvmlDevice_st *resolve(nvmlDevice_t h) {
  if (h >= &gpus[0] && h < &gpus[MAX_DEV]) return h->index < (int) deviceCount ? h : NULL;
  if (h >= &migs[0][0] && h < &migs[0][0] + MAX_DEV * MAX_MIG) return h->present ? h : NULL;
  return NULL;
}

/* Common entry of every device call: counts it, then answers lost, forced and uninitialized cases. */
static int enterDevice(const char *fn, nvmlDevice_t h, struct nvmlDevice_st **out) {
  countCall(fn);
  if (!initialized) return NVML_ERROR_UNINITIALIZED;
  struct nvmlDevice_st *d = resolve(h);
  if (!d) return NVML_ERROR_INVALID_ARGUMENT;
  if (gpus[d->index].lost) return NVML_ERROR_GPU_IS_LOST;
  int rc = forcedRc(fn, d->index);
  if (rc) return rc;
  if (loadEnabled) advanceLoad(&gpus[d->index]);
  *out = d;
  return 0;
}
static int enterGlobal(const char *fn) {
  countCall(fn);
  int rc = forcedRc(fn, -1);
  if (rc) return rc;
  return initialized ? 0 : NVML_ERROR_UNINITIALIZED;
}

#define ENTER_DEV(fn, h) \
  struct nvmlDevice_st *d = NULL; \
  LOCK; \
  waitDelay(fn, h); \
  { int _rc = enterDevice(fn, h, &d); if (_rc) RETURN(_rc); }
#define ENTER_GLOBAL(fn) LOCK; waitDelay(fn, NULL); { int _rc = enterGlobal(fn); if (_rc) RETURN(_rc); }

static void defaults(int i) {
  struct nvmlDevice_st *d = &gpus[i];
  memset(d, 0, sizeof *d);
  d->index = i;
  d->migSlot = -1;
  d->present = 1;
  char buf[96];
  snprintf(buf, sizeof buf, "GPU-eb0c700f-8671-c9a0-6ccc-0dffbc57826%d", i);
  setStr(d, "uuid", buf);
  setStr(d, "name", "NVIDIA H100 80GB HBM3");
  snprintf(buf, sizeof buf, "165232400123%d", i);
  setStr(d, "serial", buf);
  setStr(d, "vbios", "96.00.99.00.01");
  snprintf(buf, sizeof buf, "00000000:%02X:00.0", 0x18 + i);
  setStr(d, "busId", buf);
  setNum(d, "memory.total", 85520809984ULL);
  setNum(d, "memory.reserved", 503316480ULL);
  setNum(d, "memory.free", 85017493504ULL);
  setNum(d, "memory.used", 0);
  setNum(d, "bar1.total", 137438953472ULL);
  setNum(d, "bar1.used", 2097152ULL);
  setNum(d, "power.usage", 69138);
  setNum(d, "power.limit", 700000);
  setNum(d, "energy", 2303493);
  setNum(d, "temperature", 31);
  setNum(d, "clock.graphics", 345); setNum(d, "clock.sm", 345); setNum(d, "clock.mem", 2619);
  setNum(d, "maxclock.graphics", 1980); setNum(d, "maxclock.sm", 1980); setNum(d, "maxclock.mem", 2619);
  setNum(d, "clock.reasons", 0x1);
  setNum(d, "pstate", 0);
  setNum(d, "fan", 0);
  setNum(d, "pcie.gen", 5); setNum(d, "pcie.width", 16); setNum(d, "pcie.maxgen", 5); setNum(d, "pcie.maxwidth", 16);
  setNum(d, "pcie.replay", 0);
  setNum(d, "minor", (unsigned long long) d->index); /* /dev/nvidia<index>, unless a test says otherwise */
  setNum(d, "util.gpu", 0); setNum(d, "util.memory", 0);
  setNum(d, "encoder", 0); setNum(d, "decoder", 0);
  setNum(d, "nvlink.count", 0);
  setNum(d, "mig.mode", 0);
  for (int t = 0; t < MAX_TYPES; t++) d->sampleType[t] = 1; /* NVML_VALUE_TYPE_UNSIGNED_INT */
  setField(d, 82, 1, 34, 0);
  /* *_TLIMIT fields are margins to T.Limit (nvidia-smi: "GPU Shutdown T.Limit Temp: -5 C"), as type SIGNED_INT */
  setField(d, 193, 5, (unsigned long long) (long long) -5, 0);
  setField(d, 194, 5, (unsigned long long) (long long) -2, 0);
  setNum(d, "threshold.shutdown", 92); setNum(d, "threshold.slowdown", 89);
  setField(d, 197, 1, 1912332712ULL, 0);
  setField(d, 198, 1, 4124150136ULL, 0);
  setField(d, 138, 3, 0, NVML_ERROR_NOT_SUPPORTED);
  setField(d, 139, 3, 0, NVML_ERROR_NOT_SUPPORTED);
  setField(d, 230, 1, 0, 0);                          /* GET_GPU_RECOVERY_ACTION: none */
  /* PERF_POLICY_POWER..TOTAL_BASE_CLOCKS (74..81): throttle time in ns since the driver loaded */
  static const unsigned long long perfPolicyNs[8] = {1250000000ULL, 0, 0, 0, 3600000000000ULL, 0, 1250000000ULL, 0};
  for (int p = 0; p < 8; p++) setField(d, 74 + p, 3, perfPolicyNs[p], 0);
  d->gpmSupported = 1;
  for (int s = 0; s < MAX_MIG; s++) {
    memset(&migs[i][s], 0, sizeof migs[i][s]);
    migs[i][s].index = i;
    migs[i][s].migSlot = s;
  }
}

/* ================= control API ================= */

static void resetLocked(unsigned int n) {
  deviceCount = n > MAX_DEV ? MAX_DEV : n;
  for (int i = 0; i < MAX_DEV; i++) defaults(i);
  forcedCount = 0;
  eventCount = 0;
  callsCount = 0;
  processStride = 24;
  initialized = 0;
  initCount = 0;
  /* a passively cooled SXM board has no fan reading */
  snprintf(forced[0].fn, sizeof forced[0].fn, "%s", "nvmlDeviceGetFanSpeed");
  forced[0].device = -1;
  forced[0].rc = NVML_ERROR_NOT_SUPPORTED;
  forcedCount = 1;
  delayCount = 0;
  loadEnabled = 0;
  memset(loadUtilStep, 0, sizeof loadUtilStep);
  memset(loadPowerStep, 0, sizeof loadPowerStep);
  pthread_once(&delayOnce, initDelayCond);
  pthread_cond_broadcast(&delayCond); /* calls still sleeping in a delay return now */
}

EXPORT void nvmlDouble_reset(unsigned int n) {
  LOCK;
  everReset = 1;
  resetLocked(n);
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_setDelay(const char *function, int device, unsigned int micros) {
  LOCK;
  int i = 0;
  while (i < delayCount && !(delays[i].device == device && strcmp(delays[i].fn, function) == 0)) i++;
  if (micros == 0) {
    if (i < delayCount) delays[i] = delays[--delayCount];
  } else if (i < MAX_FORCED) {
    snprintf(delays[i].fn, sizeof delays[i].fn, "%s", function);
    delays[i].device = device;
    delays[i].micros = micros;
    if (i == delayCount) delayCount++;
  }
  /* waiters re-read their delay: a shorter or removed one ends their wait now */
  pthread_once(&delayOnce, initDelayCond);
  pthread_cond_broadcast(&delayCond);
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_setUint(const char *key, unsigned int device, unsigned long long value) {
  LOCK;
  if (device < MAX_DEV) setNum(&gpus[device], key, value);
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_setString(const char *key, unsigned int device, const char *value) {
  LOCK;
  if (device < MAX_DEV) setStr(&gpus[device], key, value);
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_setReturn(const char *function, int device, int rc) {
  LOCK;
  if (forcedCount < MAX_FORCED) {
    snprintf(forced[forcedCount].fn, sizeof forced[forcedCount].fn, "%s", function);
    forced[forcedCount].device = device;
    forced[forcedCount].rc = rc;
    forcedCount++;
  }
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_setField(unsigned int device, unsigned int fieldId, int valueType,
                                unsigned long long value, int rc) {
  LOCK;
  if (device < MAX_DEV) setField(&gpus[device], fieldId, valueType, value, rc);
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_pushSampleTyped(int type, unsigned int device, unsigned long long timestampUs,
                                       int valueType, unsigned long long raw) {
  LOCK;
  if (device < MAX_DEV && type >= 0 && type < MAX_TYPES) {
    struct nvmlDevice_st *d = &gpus[device];
    d->sampleType[type] = valueType;
    if (d->sampleCount[type] == MAX_SAMPLES) { /* a ring: the oldest sample falls out */
      memmove(&d->samples[type][0], &d->samples[type][1], sizeof(sample_t) * (MAX_SAMPLES - 1));
      d->sampleCount[type]--;
    }
    d->samples[type][d->sampleCount[type]++] = (sample_t){timestampUs, raw};
  }
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_pushSample(int type, unsigned int device, unsigned long long timestampUs, unsigned int value) {
  nvmlDouble_pushSampleTyped(type, device, timestampUs, 1, value);
}

EXPORT void nvmlDouble_injectXid(unsigned int device, unsigned long long xid) {
  LOCK;
  if (eventCount < MAX_EVENTS) events[eventCount++] = (event_t){(int) device, xid};
  pthread_cond_broadcast(&eventCond);
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_setGpmSupported(unsigned int device, int supported) {
  LOCK;
  if (device < MAX_DEV) gpus[device].gpmSupported = supported;
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_setGpm(unsigned int device, unsigned int metricId, double value) {
  LOCK;
  if (device < MAX_DEV) {
    struct nvmlDevice_st *d = &gpus[device];
    int i = 0;
    while (i < d->gpmCount && d->gpmIds[i] != metricId) i++;
    if (i < MAX_GPM) {
      d->gpmIds[i] = metricId;
      d->gpmValues[i] = value;
      if (i == d->gpmCount) d->gpmCount++;
    }
  }
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_setLost(unsigned int device, int lost) {
  LOCK;
  if (device < MAX_DEV) gpus[device].lost = lost;
  pthread_cond_broadcast(&eventCond); /* a wait on a set with this GPU fails now */
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_addProcess(unsigned int device, unsigned int pid, unsigned long long usedBytes) {
  LOCK;
  if (device < MAX_DEV && gpus[device].procCount < MAX_PROCS) {
    gpus[device].procs[gpus[device].procCount++] = (nvmlProcessInfo_t){pid, usedBytes, 0xFFFFFFFFu, 0xFFFFFFFFu};
  }
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_setProcessStride(int stride) {
  LOCK;
  processStride = stride;
  pthread_mutex_unlock(&mu);
}

EXPORT void nvmlDouble_setMig(unsigned int device, unsigned int slot, const char *uuid, const char *name,
                              unsigned int gi, unsigned int ci, unsigned long long total, unsigned long long used) {
  LOCK;
  if (device < MAX_DEV && slot < MAX_MIG) {
    struct nvmlDevice_st *m = &migs[device][slot];
    m->present = 1;
    setStr(m, "uuid", uuid);
    setStr(m, "name", name);
    setNum(m, "gi", gi);
    setNum(m, "ci", ci);
    setNum(m, "memory.total", total);
    setNum(m, "memory.used", used);
    setNum(m, "memory.reserved", 0);
    setNum(m, "memory.free", total - used);
  }
  pthread_mutex_unlock(&mu);
}

EXPORT long nvmlDouble_calls(const char *function) {
  LOCK;
  long n = 0;
  for (int i = 0; i < callsCount; i++) if (strcmp(calls[i].fn, function) == 0) n = calls[i].count;
  pthread_mutex_unlock(&mu);
  return n;
}

EXPORT long nvmlDouble_callAt(int index, char *name, unsigned int length) {
  LOCK;
  long n = -1;
  if (index >= 0 && index < callsCount) {
    if (name && length > 0) snprintf(name, length, "%s", calls[index].fn);
    n = calls[index].count;
  }
  pthread_mutex_unlock(&mu);
  return n;
}

EXPORT void nvmlDouble_clearCalls(void) {
  LOCK;
  callsCount = 0;
  pthread_mutex_unlock(&mu);
}

EXPORT int nvmlDouble_initCount(void) {
  LOCK;
  int n = initCount;
  pthread_mutex_unlock(&mu);
  return n;
}

#define SIZE(T) if (strcmp(name, #T) == 0) return (int) sizeof(T)
EXPORT int nvmlDouble_sizeof(const char *name) {
  SIZE(nvmlPciInfo_t); SIZE(nvmlUtilization_t); SIZE(nvmlMemory_t); SIZE(nvmlMemory_v2_t);
  SIZE(nvmlBAR1Memory_t); SIZE(nvmlFieldValue_t); SIZE(nvmlSample_t); SIZE(nvmlProcessInfo_t);
  SIZE(nvmlProcessDetail_v1_t); SIZE(nvmlEventData_t); SIZE(nvmlGpmSupport_t); SIZE(nvmlGpmMetric_t);
  SIZE(nvmlGpmMetricsGet_t); SIZE(nvmlTemperature_v1_t);
  return -1;
}
#define OFFSET(T, F) if (strcmp(name, #T) == 0 && strcmp(field, #F) == 0) return (int) offsetof(T, F)
EXPORT int nvmlDouble_offsetof(const char *name, const char *field) {
  OFFSET(nvmlPciInfo_t, domain); OFFSET(nvmlPciInfo_t, pciSubSystemId); OFFSET(nvmlPciInfo_t, busId);
  OFFSET(nvmlUtilization_t, gpu); OFFSET(nvmlUtilization_t, memory);
  OFFSET(nvmlMemory_t, total); OFFSET(nvmlMemory_t, free); OFFSET(nvmlMemory_t, used);
  OFFSET(nvmlMemory_v2_t, version); OFFSET(nvmlMemory_v2_t, total); OFFSET(nvmlMemory_v2_t, reserved);
  OFFSET(nvmlMemory_v2_t, free); OFFSET(nvmlMemory_v2_t, used);
  OFFSET(nvmlBAR1Memory_t, bar1Total); OFFSET(nvmlBAR1Memory_t, bar1Used);
  OFFSET(nvmlFieldValue_t, timestamp); OFFSET(nvmlFieldValue_t, valueType); OFFSET(nvmlFieldValue_t, nvmlReturn);
  OFFSET(nvmlFieldValue_t, value);
  OFFSET(nvmlSample_t, sampleValue);
  OFFSET(nvmlProcessInfo_t, usedGpuMemory); OFFSET(nvmlProcessInfo_t, gpuInstanceId);
  OFFSET(nvmlEventData_t, eventType); OFFSET(nvmlEventData_t, eventData); OFFSET(nvmlEventData_t, gpuInstanceId);
  OFFSET(nvmlGpmMetric_t, value); OFFSET(nvmlGpmMetric_t, metricInfo);
  OFFSET(nvmlGpmMetricsGet_t, sample1); OFFSET(nvmlGpmMetricsGet_t, sample2); OFFSET(nvmlGpmMetricsGet_t, metrics);
  OFFSET(nvmlTemperature_v1_t, version); OFFSET(nvmlTemperature_v1_t, sensorType);
  OFFSET(nvmlTemperature_v1_t, temperature);
  return -1;
}

/* ================= NVML ABI ================= */

/* NVML_DOUBLE_DEVICES / NVML_DOUBLE_LOAD, applied once, at the first nvmlInit_v2 before any nvmlDouble_reset. */
static void applyEnvironment(void) {
  static int applied = 0;
  if (applied || everReset) return;
  applied = 1;
  const char *devices = getenv("NVML_DOUBLE_DEVICES");
  int n = devices && *devices ? atoi(devices) : 1;
  if (n < 1) n = 1;
  if (n > MAX_DEV) {
    fprintf(stderr, "nvml_double: NVML_DOUBLE_DEVICES=%s is more than the double's %d GPUs; using %d\n", devices,
            MAX_DEV, MAX_DEV);
    n = MAX_DEV;
  }
  resetLocked((unsigned int) n);
  const char *load = getenv("NVML_DOUBLE_LOAD");
  loadEnabled = load && strcmp(load, "1") == 0;
}

EXPORT int nvmlInit_v2(void) {
  LOCK;
  applyEnvironment();
  countCall("nvmlInit_v2");
  int rc = forcedRc("nvmlInit_v2", -1);
  if (rc) RETURN(rc);
  initCount++;
  initialized = 1;
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlShutdown(void) {
  LOCK;
  countCall("nvmlShutdown");
  if (initCount == 0) RETURN(NVML_ERROR_UNINITIALIZED);
  if (--initCount == 0) initialized = 0;
  RETURN(NVML_SUCCESS);
}

EXPORT const char *nvmlErrorString(int rc) {
  switch (rc) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 3: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case 6: return "Not Found";
    case 7: return "Insufficient Size";
    case 9: return "Driver Not Loaded";
    case 10: return "Timeout";
    case 13: return "Function Not Found";
    case 15: return "GPU is lost";
    case 18: return "RM has detected an NVML/RM version mismatch.";
    case 25: return "Argument version mismatch";
    default: return "Unknown Error";
  }
}

static int copyString(const char *value, char *buf, unsigned int length) {
  if (!buf) return NVML_ERROR_INVALID_ARGUMENT;
  if (strlen(value) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  strcpy(buf, value);
  return NVML_SUCCESS;
}

EXPORT int nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  ENTER_GLOBAL("nvmlSystemGetDriverVersion");
  RETURN(copyString("580.159.04", version, length));
}

EXPORT int nvmlSystemGetNVMLVersion(char *version, unsigned int length) {
  ENTER_GLOBAL("nvmlSystemGetNVMLVersion");
  RETURN(copyString("13.580.159.04", version, length));
}

EXPORT int nvmlDeviceGetCount_v2(unsigned int *count) {
  ENTER_GLOBAL("nvmlDeviceGetCount_v2");
  *count = deviceCount;
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  ENTER_GLOBAL("nvmlDeviceGetHandleByIndex_v2");
  if (index >= deviceCount) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  int rc = forcedRc("nvmlDeviceGetHandleByIndex_v2", (int) index);
  if (rc) RETURN(rc);
  if (gpus[index].lost) RETURN(NVML_ERROR_GPU_IS_LOST);
  *device = &gpus[index];
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device) {
  ENTER_GLOBAL("nvmlDeviceGetHandleByUUID");
  for (unsigned int i = 0; i < deviceCount; i++) {
    if (strcmp(str(&gpus[i], "uuid"), uuid) == 0) {
      if (gpus[i].lost) RETURN(NVML_ERROR_GPU_IS_LOST);
      *device = &gpus[i];
      RETURN(NVML_SUCCESS);
    }
    for (int s = 0; s < MAX_MIG; s++) {
      if (migs[i][s].present && strcmp(str(&migs[i][s], "uuid"), uuid) == 0) {
        *device = &migs[i][s];
        RETURN(NVML_SUCCESS);
      }
    }
  }
  RETURN(NVML_ERROR_NOT_FOUND);
}

#define STRING_GETTER(fn, key) \
  EXPORT int fn(nvmlDevice_t h, char *buf, unsigned int length) { \
    ENTER_DEV(#fn, h); \
    RETURN(copyString(str(d, key), buf, length)); \
  }
STRING_GETTER(nvmlDeviceGetName, "name")
STRING_GETTER(nvmlDeviceGetUUID, "uuid")
STRING_GETTER(nvmlDeviceGetSerial, "serial")
STRING_GETTER(nvmlDeviceGetVbiosVersion, "vbios")

EXPORT int nvmlDeviceGetPciInfo_v3(nvmlDevice_t h, nvmlPciInfo_t *pci) {
  ENTER_DEV("nvmlDeviceGetPciInfo_v3", h);
  memset(pci, 0, sizeof *pci);
  snprintf(pci->busId, sizeof pci->busId, "%s", str(d, "busId"));
  snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%s", str(d, "busId") + 4);
  pci->bus = 0x18 + (unsigned int) d->index;
  pci->pciDeviceId = 0x233010de;
  pci->pciSubSystemId = 0x16c110de;
  RETURN(NVML_SUCCESS);
}

#define UINT_GETTER(fn, key) \
  EXPORT int fn(nvmlDevice_t h, unsigned int *value) { \
    ENTER_DEV(#fn, h); \
    *value = (unsigned int) num(d, key, 0); \
    RETURN(NVML_SUCCESS); \
  }
UINT_GETTER(nvmlDeviceGetPowerUsage, "power.usage")
UINT_GETTER(nvmlDeviceGetEnforcedPowerLimit, "power.limit")
UINT_GETTER(nvmlDeviceGetPowerManagementLimit, "power.limit")
UINT_GETTER(nvmlDeviceGetFanSpeed, "fan")
UINT_GETTER(nvmlDeviceGetCurrPcieLinkGeneration, "pcie.gen")
UINT_GETTER(nvmlDeviceGetMinorNumber, "minor")
UINT_GETTER(nvmlDeviceGetCurrPcieLinkWidth, "pcie.width")
UINT_GETTER(nvmlDeviceGetMaxPcieLinkGeneration, "pcie.maxgen")
UINT_GETTER(nvmlDeviceGetMaxPcieLinkWidth, "pcie.maxwidth")
UINT_GETTER(nvmlDeviceGetPcieReplayCounter, "pcie.replay")
UINT_GETTER(nvmlDeviceGetPerformanceState, "pstate")
UINT_GETTER(nvmlDeviceGetGpuInstanceId, "gi")
UINT_GETTER(nvmlDeviceGetComputeInstanceId, "ci")

EXPORT int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t h, unsigned long long *energy) {
  ENTER_DEV("nvmlDeviceGetTotalEnergyConsumption", h);
  *energy = num(d, "energy", 0);
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetTemperature(nvmlDevice_t h, int sensor, unsigned int *temp) {
  ENTER_DEV("nvmlDeviceGetTemperature", h);
  if (sensor != 0) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  *temp = (unsigned int) num(d, "temperature", 0);
  RETURN(NVML_SUCCESS);
}

/* The versioned call new code should use (deprecated nvmlDeviceGetTemperature may leave a later driver). */
EXPORT int nvmlDeviceGetTemperatureV(nvmlDevice_t h, nvmlTemperature_v1_t *temperature) {
  ENTER_DEV("nvmlDeviceGetTemperatureV", h);
  if (temperature->version != (unsigned int) (sizeof(nvmlTemperature_v1_t) | 1u << 24))
    RETURN(NVML_ERROR_ARGUMENT_VERSION_MISMATCH);
  if (temperature->sensorType != 0) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  temperature->temperature = (int) num(d, "temperature", 0);
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetTemperatureThreshold(nvmlDevice_t h, int type, unsigned int *temp) {
  ENTER_DEV("nvmlDeviceGetTemperatureThreshold", h);
  /* A threshold set to 0 is one the board does not report. */
  unsigned long long v = type == 0 ? num(d, "threshold.shutdown", 0) : type == 1 ? num(d, "threshold.slowdown", 0) : 0;
  if (v == 0) RETURN(NVML_ERROR_NOT_SUPPORTED);
  *temp = (unsigned int) v;
  RETURN(NVML_SUCCESS);
}

static const char *clockKey(int type, int max) {
  static const char *cur[] = {"clock.graphics", "clock.sm", "clock.mem"};
  static const char *mx[] = {"maxclock.graphics", "maxclock.sm", "maxclock.mem"};
  if (type < 0 || type > 2) return NULL;
  return max ? mx[type] : cur[type];
}

/* A board may support one clock domain and not another: nvmlDouble_setReturn("nvmlDeviceGetClockInfo(memory)", ...)
 * answers for that domain only (graphics, sm, memory). */
static int clockDomainRc(const char *fn, int type, int device) {
  static const char *domain[] = {"graphics", "sm", "memory"};
  char qualified[64];
  snprintf(qualified, sizeof qualified, "%s(%s)", fn, domain[type]);
  return forcedRc(qualified, device);
}

EXPORT int nvmlDeviceGetClockInfo(nvmlDevice_t h, int type, unsigned int *clock) {
  ENTER_DEV("nvmlDeviceGetClockInfo", h);
  const char *key = clockKey(type, 0);
  if (!key) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  int rc = clockDomainRc("nvmlDeviceGetClockInfo", type, d->index);
  if (rc) RETURN(rc);
  *clock = (unsigned int) num(d, key, 0);
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetMaxClockInfo(nvmlDevice_t h, int type, unsigned int *clock) {
  ENTER_DEV("nvmlDeviceGetMaxClockInfo", h);
  const char *key = clockKey(type, 1);
  if (!key) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  int rc = clockDomainRc("nvmlDeviceGetMaxClockInfo", type, d->index);
  if (rc) RETURN(rc);
  *clock = (unsigned int) num(d, key, 0);
  RETURN(NVML_SUCCESS);
}

/* Built with -DNVML_DOUBLE_BEFORE_R535 (libnvml_double_r525.so), the double is a driver from before the rename:
 * only the old name is exported, as a real R525 driver does. */
#ifndef NVML_DOUBLE_BEFORE_R535
EXPORT int nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t h, unsigned long long *reasons) {
  ENTER_DEV("nvmlDeviceGetCurrentClocksEventReasons", h);
  *reasons = num(d, "clock.reasons", 0);
  RETURN(NVML_SUCCESS);
}
#endif

EXPORT int nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t h, unsigned long long *reasons) {
  ENTER_DEV("nvmlDeviceGetCurrentClocksThrottleReasons", h);
  *reasons = num(d, "clock.reasons", 0);
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetUtilizationRates(nvmlDevice_t h, nvmlUtilization_t *u) {
  ENTER_DEV("nvmlDeviceGetUtilizationRates", h);
  u->gpu = (unsigned int) num(d, "util.gpu", 0);
  u->memory = (unsigned int) num(d, "util.memory", 0);
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetEncoderUtilization(nvmlDevice_t h, unsigned int *util, unsigned int *periodUs) {
  ENTER_DEV("nvmlDeviceGetEncoderUtilization", h);
  *util = (unsigned int) num(d, "encoder", 0);
  *periodUs = 167000;
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetDecoderUtilization(nvmlDevice_t h, unsigned int *util, unsigned int *periodUs) {
  ENTER_DEV("nvmlDeviceGetDecoderUtilization", h);
  *util = (unsigned int) num(d, "decoder", 0);
  *periodUs = 167000;
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetMemoryInfo(nvmlDevice_t h, nvmlMemory_t *m) {
  ENTER_DEV("nvmlDeviceGetMemoryInfo", h);
  m->total = num(d, "memory.total", 0);
  m->free = num(d, "memory.free", 0);
  m->used = num(d, "memory.used", 0) + num(d, "memory.reserved", 0); /* v1 used includes reserved */
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t h, nvmlMemory_v2_t *m) {
  ENTER_DEV("nvmlDeviceGetMemoryInfo_v2", h);
  /* measured on driver 580: a wrong version answers FUNCTION_NOT_FOUND (13), not 25 */
  if (m->version != (unsigned int) (sizeof(nvmlMemory_v2_t) | (2u << 24))) RETURN(13);
  m->total = num(d, "memory.total", 0);
  m->reserved = num(d, "memory.reserved", 0);
  m->free = num(d, "memory.free", 0);
  m->used = num(d, "memory.used", 0);
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetBAR1MemoryInfo(nvmlDevice_t h, nvmlBAR1Memory_t *m) {
  ENTER_DEV("nvmlDeviceGetBAR1MemoryInfo", h);
  m->bar1Total = num(d, "bar1.total", 0);
  m->bar1Used = num(d, "bar1.used", 0);
  m->bar1Free = m->bar1Total - m->bar1Used;
  RETURN(NVML_SUCCESS);
}

static const char *eccKey(int error, int counter) {
  static const char *keys[2][2] = {{"ecc.corrected.volatile", "ecc.corrected.aggregate"},
                                   {"ecc.uncorrected.volatile", "ecc.uncorrected.aggregate"}};
  if (error < 0 || error > 1 || counter < 0 || counter > 1) return NULL;
  return keys[error][counter];
}

EXPORT int nvmlDeviceGetTotalEccErrors(nvmlDevice_t h, int errorType, int counterType, unsigned long long *count) {
  ENTER_DEV("nvmlDeviceGetTotalEccErrors", h);
  const char *key = eccKey(errorType, counterType);
  if (!key) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  char unsupported[48];
  snprintf(unsupported, sizeof unsupported, "%s.unsupported", key);
  if (num(d, unsupported, 0)) RETURN(NVML_ERROR_NOT_SUPPORTED);
  *count = num(d, key, 0);
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetRemappedRows(nvmlDevice_t h, unsigned int *corr, unsigned int *unc, unsigned int *pending,
                                     unsigned int *failure) {
  ENTER_DEV("nvmlDeviceGetRemappedRows", h);
  *corr = (unsigned int) num(d, "remap.correctable", 0);
  *unc = (unsigned int) num(d, "remap.uncorrectable", 0);
  *pending = (unsigned int) num(d, "remap.pending", 0);
  *failure = (unsigned int) num(d, "remap.failure", 0);
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetNvLinkState(nvmlDevice_t h, unsigned int link, int *isActive) {
  ENTER_DEV("nvmlDeviceGetNvLinkState", h);
  if (link >= 36) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  if (link >= num(d, "nvlink.count", 0)) RETURN(NVML_ERROR_NOT_SUPPORTED);
  char key[48];
  snprintf(key, sizeof key, "nvlink.%u.down", link);
  *isActive = num(d, key, 0) ? 0 : 1;
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetNvLinkErrorCounter(nvmlDevice_t h, unsigned int link, int counter, unsigned long long *value) {
  ENTER_DEV("nvmlDeviceGetNvLinkErrorCounter", h);
  if (link >= 36 || counter < 0 || counter > 4) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  if (link >= num(d, "nvlink.count", 0)) RETURN(NVML_ERROR_NOT_SUPPORTED);
  char key[48];
  snprintf(key, sizeof key, "nvlink.error.%d.unsupported", counter);
  if (num(d, key, 0)) RETURN(NVML_ERROR_NOT_SUPPORTED);
  snprintf(key, sizeof key, "nvlink.%u.error.%d", link, counter);
  *value = num(d, key, 0);
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetFieldValues(nvmlDevice_t h, int count, nvmlFieldValue_t *values) {
  ENTER_DEV("nvmlDeviceGetFieldValues", h);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  for (int i = 0; i < count; i++) {
    nvmlFieldValue_t *v = &values[i];
    v->timestamp = (long long) now.tv_sec * 1000000 + now.tv_nsec / 1000;
    v->latencyUsec = 0;
    v->nvmlReturn = NVML_ERROR_NOT_SUPPORTED;
    for (int f = 0; f < d->fieldCount; f++) {
      if (d->fields[f].id != v->fieldId) continue;
      v->nvmlReturn = d->fields[f].rc;
      if (d->fields[f].rc == 0) {
        v->valueType = d->fields[f].valueType;
        v->value.ullVal = 0;
        if (v->valueType == 1) v->value.uiVal = (unsigned int) d->fields[f].raw;
        else v->value.ullVal = d->fields[f].raw;
      }
    }
  }
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetSamples(nvmlDevice_t h, int type, unsigned long long lastSeen, int *valueType,
                                unsigned int *sampleCount, nvmlSample_t *samples) {
  ENTER_DEV("nvmlDeviceGetSamples", h);
  if (type < 0 || type >= MAX_TYPES) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  if (!samples) { /* a size query answers the buffer's capacity, as the driver does */
    *sampleCount = type == 0 ? 120 : 72;
    RETURN(NVML_SUCCESS);
  }
  unsigned int fresh = 0;
  for (int i = 0; i < d->sampleCount[type]; i++) if (d->samples[type][i].ts > lastSeen) fresh++;
  if (fresh == 0) RETURN(NVML_ERROR_NOT_FOUND);
  /* Like the driver, more new samples than the buffer holds are cut to what fits, oldest first, with SUCCESS:
     the caller can only tell from a full buffer. */
  unsigned int room = *sampleCount;
  unsigned int n = 0;
  for (int i = 0; i < d->sampleCount[type] && n < room; i++) {
    sample_t *s = &d->samples[type][i];
    if (s->ts <= lastSeen) continue;
    samples[n].timeStamp = s->ts;
    samples[n].sampleValue.ullVal = 0;
    if (d->sampleType[type] == 1) samples[n].sampleValue.uiVal = (unsigned int) s->raw;
    else samples[n].sampleValue.ullVal = s->raw;
    n++;
  }
  *valueType = d->sampleType[type];
  *sampleCount = n;
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t h, unsigned int *infoCount, void *infos) {
  ENTER_DEV("nvmlDeviceGetComputeRunningProcesses_v3", h);
  unsigned int n = (unsigned int) d->procCount;
  if (!infos || *infoCount < n) {
    *infoCount = n;
    RETURN(n == 0 ? NVML_SUCCESS : NVML_ERROR_INSUFFICIENT_SIZE);
  }
  for (unsigned int i = 0; i < n; i++) {
    if (processStride == 32) {
      nvmlProcessDetail_v1_t *p = (nvmlProcessDetail_v1_t *) infos + i;
      p->pid = d->procs[i].pid;
      p->usedGpuMemory = d->procs[i].usedGpuMemory;
      p->gpuInstanceId = d->procs[i].gpuInstanceId;
      p->computeInstanceId = d->procs[i].computeInstanceId;
      p->usedGpuCcProtectedMemory = 0;
    } else {
      ((nvmlProcessInfo_t *) infos)[i] = d->procs[i];
    }
  }
  *infoCount = n;
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetMigMode(nvmlDevice_t h, unsigned int *current, unsigned int *pending) {
  ENTER_DEV("nvmlDeviceGetMigMode", h);
  *current = *pending = (unsigned int) num(d, "mig.mode", 0);
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t h, unsigned int *count) {
  ENTER_DEV("nvmlDeviceGetMaxMigDeviceCount", h);
  *count = num(d, "mig.mode", 0) ? MAX_MIG : 0;
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t h, unsigned int index, nvmlDevice_t *mig) {
  ENTER_DEV("nvmlDeviceGetMigDeviceHandleByIndex", h);
  if (index >= MAX_MIG) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  if (!migs[d->index][index].present) RETURN(NVML_ERROR_NOT_FOUND);
  *mig = &migs[d->index][index];
  RETURN(NVML_SUCCESS);
}

/* ---- events */

EXPORT int nvmlEventSetCreate(nvmlEventSet_t *set) {
  ENTER_GLOBAL("nvmlEventSetCreate");
  *set = calloc(1, sizeof(struct nvmlEventSet_st));
  RETURN(*set ? NVML_SUCCESS : NVML_ERROR_UNKNOWN);
}

EXPORT int nvmlDeviceRegisterEvents(nvmlDevice_t h, unsigned long long types, nvmlEventSet_t set) {
  ENTER_DEV("nvmlDeviceRegisterEvents", h);
  if (!set || d->migSlot >= 0) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  set->mask[d->index] |= types;
  RETURN(NVML_SUCCESS);
}

static int anyRegisteredLost(nvmlEventSet_t set) {
  for (int i = 0; i < MAX_DEV; i++) {
    if (set->mask[i] && gpus[i].lost) return 1;
  }
  return 0;
}

static int takeEvent(nvmlEventSet_t set, nvmlEventData_t *data) {
  for (int i = 0; i < eventCount; i++) {
    if (!(set->mask[events[i].device] & 0x8)) continue;
    data->device = &gpus[events[i].device];
    data->eventType = 0x8;
    data->eventData = events[i].xid;
    data->gpuInstanceId = 0xFFFFFFFFu;
    data->computeInstanceId = 0xFFFFFFFFu;
    memmove(&events[i], &events[i + 1], sizeof(event_t) * (size_t) (eventCount - i - 1));
    eventCount--;
    return 1;
  }
  return 0;
}

EXPORT int nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data, unsigned int timeoutMs) {
  ENTER_GLOBAL("nvmlEventSetWait_v2");
  if (!set) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += timeoutMs / 1000;
  deadline.tv_nsec += (long) (timeoutMs % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec++; deadline.tv_nsec -= 1000000000L; }
  /* waits on the condition variable (no spinning), as the driver blocks until an event or the timeout. Once a
   * registered GPU is lost, every wait fails at once with GPU_IS_LOST, for all devices of the set, as a real
   * driver does after XID 79. */
  for (;;) {
    if (anyRegisteredLost(set)) RETURN(NVML_ERROR_GPU_IS_LOST);
    if (takeEvent(set, data)) RETURN(NVML_SUCCESS);
    if (pthread_cond_timedwait(&eventCond, &mu, &deadline) != 0) {
      if (anyRegisteredLost(set)) RETURN(NVML_ERROR_GPU_IS_LOST);
      RETURN(takeEvent(set, data) ? NVML_SUCCESS : NVML_ERROR_TIMEOUT);
    }
  }
}

EXPORT int nvmlEventSetFree(nvmlEventSet_t set) {
  LOCK;
  countCall("nvmlEventSetFree");
  free(set);
  RETURN(NVML_SUCCESS);
}

/* ---- GPM */

EXPORT int nvmlGpmQueryDeviceSupport(nvmlDevice_t h, nvmlGpmSupport_t *support) {
  ENTER_DEV("nvmlGpmQueryDeviceSupport", h);
  if (support->version != 1) RETURN(NVML_ERROR_ARGUMENT_VERSION_MISMATCH);
  support->isSupportedDevice = (unsigned int) d->gpmSupported;
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlGpmSampleAlloc(nvmlGpmSample_t *sample) {
  ENTER_GLOBAL("nvmlGpmSampleAlloc");
  *sample = calloc(1, sizeof(struct nvmlGpmSample_st));
  RETURN(*sample ? NVML_SUCCESS : NVML_ERROR_UNKNOWN);
}

EXPORT int nvmlGpmSampleFree(nvmlGpmSample_t sample) {
  LOCK;
  countCall("nvmlGpmSampleFree");
  free(sample);
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlGpmSampleGet(nvmlDevice_t h, nvmlGpmSample_t sample) {
  ENTER_DEV("nvmlGpmSampleGet", h);
  if (!sample) RETURN(NVML_ERROR_INVALID_ARGUMENT);
  if (!d->gpmSupported) RETURN(NVML_ERROR_NOT_SUPPORTED);
  sample->device = d->index;
  sample->taken = 1;
  RETURN(NVML_SUCCESS);
}

EXPORT int nvmlGpmMetricsGet(nvmlGpmMetricsGet_t *m) {
  ENTER_GLOBAL("nvmlGpmMetricsGet");
  if (m->version != 1) RETURN(NVML_ERROR_ARGUMENT_VERSION_MISMATCH);
  if (!m->sample1 || !m->sample2 || !m->sample1->taken || !m->sample2->taken || m->sample1 == m->sample2
      || m->sample1->device != m->sample2->device || m->numMetrics > NVML_GPM_METRIC_MAX) {
    RETURN(NVML_ERROR_INVALID_ARGUMENT);
  }
  struct nvmlDevice_st *d = &gpus[m->sample1->device];
  if (d->lost) RETURN(NVML_ERROR_GPU_IS_LOST);
  static char shortName[] = "metric", longName[] = "test double metric", unit[] = "%";
  for (unsigned int i = 0; i < m->numMetrics; i++) {
    nvmlGpmMetric_t *metric = &m->metrics[i];
    metric->nvmlReturn = NVML_SUCCESS;
    metric->value = 0.0;
    for (int g = 0; g < d->gpmCount; g++) if (d->gpmIds[g] == metric->metricId) metric->value = d->gpmValues[g];
    metric->metricInfo.shortName = shortName;
    metric->metricInfo.longName = longName;
    metric->metricInfo.unit = unit;
  }
  RETURN(NVML_SUCCESS);
}
