/*
 * dcmi_double.c: a TEST DOUBLE of Huawei's libdcmi.so (Ascend DCMI) for acceltel's tests.
 *
 * This is NOT Huawei code and contains none. It implements, from the public ABI facts written down in
 * shared/reference/dcmi.md (function signatures, LP64 struct layouts, return codes), the small subset of DCMI
 * that acceltel's JNA backend calls: the same exported symbol names, struct layouts and return codes, backed by
 * an in-memory model of a few NPUs whose values the tests control through extra functions prefixed dcmiDouble_.
 *
 * NPUs are numbered by logic id 0..n-1: card k of the card list holds logic ids k*per_card .. k*per_card+per_card-1.
 * Defaults look like an idle Ascend 910B3: 64 GB HBM, 35 C, 90.5 W, AI core 1800 MHz, healthy, no error codes.
 *
 * Control API (thread-safe, one global mutex):
 *   dcmiDouble_reset(cards, perCard)            cards x perCard NPUs with defaults; clears forced codes and counts
 *   dcmiDouble_setInt(key, logic, value)        a numeric quantity, e.g. "power" (0.1 W), "hbm.usage" (MB)
 *   dcmiDouble_setString(key, logic, value)     "chip_type", "chip_name", "chip_ver"
 *   dcmiDouble_setReturn(function, logic, rc, times)   force rc from function for logic id (-1: all) times (-1: always)
 *   dcmiDouble_setErrorCodes(logic, count, c0, c1, c2)
 *   dcmiDouble_setLost(logic, 0|1)              every call on the NPU returns -8008 (device does not exist)
 *   dcmiDouble_calls(function)                  how often a function was called
 *   dcmiDouble_initCount()                      how often dcmi_init was called
 *   dcmiDouble_sizeof(structName) / dcmiDouble_offsetof(structName, field)   the C compiler's layout
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

#define DCMI_OK 0
#define DCMI_ERR_INVALID_PARAMETER (-8001)
#define DCMI_ERR_INVALID_DEVICE_ID (-8007)
#define DCMI_ERR_DEVICE_NOT_EXIST (-8008)
#define DCMI_ERR_NOT_SUPPORT (-8255)

#define MAX_NPUS 64
#define MAX_CODES 128

/* ---- ABI types, laid out as dcmi_interface_api.h declares them (LP64) */
struct dcmi_chip_info_v2 {
  unsigned char chip_type[32];
  unsigned char chip_name[32];
  unsigned char chip_ver[32];
  unsigned int aicore_cnt;
  unsigned char npu_name[32];
};
struct dcmi_pcie_info_all {
  unsigned int venderid, subvenderid, deviceid, subdeviceid;
  int domain;
  unsigned int bdf_busid, bdf_deviceid, bdf_funcid;
  unsigned char reserve[32];
};
struct dcmi_die_id { unsigned int soc_die[5]; };
struct dcmi_hbm_info {
  unsigned long long memory_size;
  unsigned int freq;
  unsigned long long memory_usage;
  int temp;
  unsigned int bandwith_util_rate;
};
struct dcmi_multi_utilization_info {
  unsigned int aic_util, aiv_util, aicore_util, npu_util;
  unsigned int reserved[8];
};
struct dcmi_ecc_info {
  int enable_flag;
  unsigned int single_bit_error_cnt, double_bit_error_cnt, total_single_bit_error_cnt, total_double_bit_error_cnt,
      single_bit_isolated_pages_cnt, double_bit_isolated_pages_cnt, single_bit_next_isolated_pages_cnt,
      double_bit_next_isolated_pages_cnt;
};

/* ---- the model */
static const char *INT_KEYS[] = {
  "phy_id", "health", "temperature", "power", "freq.aicore", "freq.aicore_max", "freq.hbm",
  "util.aicore", "util.hbm", "util.vector", "util.overall",
  "multi.aic", "multi.aiv", "multi.aicore", "multi.npu",
  "hbm.size", "hbm.usage", "hbm.temp", "hbm.freq", "hbm.bw",
  "ecc.sbe", "ecc.dbe", "ecc.total_sbe", "ecc.total_dbe", "network",
  "pcie.domain", "pcie.bus", "pcie.device", "pcie.function", "ecc.enable", NULL
};
enum {
  K_PHY, K_HEALTH, K_TEMP, K_POWER, K_FREQ_AICORE, K_FREQ_AICORE_MAX, K_FREQ_HBM,
  K_UTIL_AICORE, K_UTIL_HBM, K_UTIL_VECTOR, K_UTIL_OVERALL,
  K_MULTI_AIC, K_MULTI_AIV, K_MULTI_AICORE, K_MULTI_NPU,
  K_HBM_SIZE, K_HBM_USAGE, K_HBM_TEMP, K_HBM_FREQ, K_HBM_BW,
  K_ECC_SBE, K_ECC_DBE, K_ECC_TOTAL_SBE, K_ECC_TOTAL_DBE, K_NETWORK,
  K_PCIE_DOMAIN, K_PCIE_BUS, K_PCIE_DEVICE, K_PCIE_FUNCTION, K_ECC_ENABLE, K_COUNT
};

typedef struct {
  long long v[K_COUNT];
  char chip_type[32], chip_name[32], chip_ver[32];
  unsigned int codes[MAX_CODES];
  int code_count;
  int lost;
} npu_t;

typedef struct {
  char function[64];
  int logic; /* -1: every NPU and the global functions */
  int rc;
  int times; /* -1: always */
} forced_t;

typedef struct {
  char function[64];
  long count;
} calls_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static npu_t npus[MAX_NPUS];
static int cards = 1, per_card = 1;
static forced_t forced[64];
static int forced_n;
static calls_t calls[64];
static int calls_n;
static long inits;

static void defaults(int logic) {
  npu_t *n = &npus[logic];
  memset(n, 0, sizeof *n);
  n->v[K_PHY] = logic;
  n->v[K_TEMP] = 35;
  n->v[K_POWER] = 905; /* 90.5 W */
  n->v[K_FREQ_AICORE] = 1800;
  n->v[K_FREQ_AICORE_MAX] = 1800;
  n->v[K_FREQ_HBM] = 1600;
  n->v[K_UTIL_AICORE] = 0;
  n->v[K_HBM_SIZE] = 65536;
  n->v[K_HBM_USAGE] = 3154;
  n->v[K_HBM_TEMP] = 38;
  n->v[K_HBM_FREQ] = 1600;
  n->v[K_PCIE_DOMAIN] = 0;
  n->v[K_PCIE_BUS] = 0xC1 - 0x10 * logic;
  n->v[K_ECC_ENABLE] = 1;
  strcpy(n->chip_type, "Ascend");
  strcpy(n->chip_name, "910B3");
  strcpy(n->chip_ver, "V1");
}

static int key_index(const char *key) {
  for (int i = 0; INT_KEYS[i]; i++) {
    if (strcmp(INT_KEYS[i], key) == 0) return i;
  }
  return -1;
}

static void count_call(const char *function) {
  for (int i = 0; i < calls_n; i++) {
    if (strcmp(calls[i].function, function) == 0) {
      calls[i].count++;
      return;
    }
  }
  if (calls_n < 64) {
    snprintf(calls[calls_n].function, sizeof calls[calls_n].function, "%s", function);
    calls[calls_n++].count = 1;
  }
}

/* A forced return code for this call, or 0. Consumes one use of a forced code with a limited count. */
static int forced_rc(const char *function, int logic) {
  for (int i = 0; i < forced_n; i++) {
    forced_t *f = &forced[i];
    if (f->times != 0 && strcmp(f->function, function) == 0 && (f->logic == -1 || f->logic == logic)) {
      if (f->times > 0) f->times--;
      return f->rc;
    }
  }
  return DCMI_OK;
}

/* Resolves (card_id, device_id) to a logic id, or -1. */
static int logic_of(int card_id, int device_id) {
  if (card_id < 0 || card_id >= cards || device_id < 0 || device_id >= per_card) return -1;
  return card_id * per_card + device_id;
}

/* The common prologue of a per-NPU call: counts it, resolves the NPU, applies forced codes and the lost state. */
#define ENTER_NPU(fn)                                  \
  pthread_mutex_lock(&mu);                             \
  count_call(fn);                                      \
  int logic = logic_of(card_id, device_id);            \
  int rc = logic < 0 ? DCMI_ERR_INVALID_DEVICE_ID : 0; \
  if (rc == 0 && npus[logic].lost) rc = DCMI_ERR_DEVICE_NOT_EXIST; \
  if (rc == 0) rc = forced_rc(fn, logic);              \
  if (rc != 0) {                                       \
    pthread_mutex_unlock(&mu);                         \
    return rc;                                         \
  }                                                    \
  npu_t *n = &npus[logic];

#define LEAVE(result)          \
  pthread_mutex_unlock(&mu);   \
  return (result);

/* ---- control API */
EXPORT void dcmiDouble_reset(int card_count, int devices_per_card) {
  pthread_mutex_lock(&mu);
  cards = card_count;
  per_card = devices_per_card;
  for (int i = 0; i < MAX_NPUS; i++) defaults(i);
  forced_n = 0;
  calls_n = 0;
  inits = 0;
  pthread_mutex_unlock(&mu);
}

EXPORT int dcmiDouble_setInt(const char *key, int logic, long long value) {
  int k = key_index(key);
  if (k < 0 || logic < 0 || logic >= MAX_NPUS) return -1;
  pthread_mutex_lock(&mu);
  npus[logic].v[k] = value;
  pthread_mutex_unlock(&mu);
  return 0;
}

EXPORT int dcmiDouble_setString(const char *key, int logic, const char *value) {
  if (logic < 0 || logic >= MAX_NPUS) return -1;
  pthread_mutex_lock(&mu);
  char *dst = strcmp(key, "chip_type") == 0 ? npus[logic].chip_type
      : strcmp(key, "chip_name") == 0 ? npus[logic].chip_name
      : strcmp(key, "chip_ver") == 0 ? npus[logic].chip_ver : NULL;
  if (dst) snprintf(dst, 32, "%s", value);
  pthread_mutex_unlock(&mu);
  return dst ? 0 : -1;
}

EXPORT void dcmiDouble_setReturn(const char *function, int logic, int rc, int times) {
  pthread_mutex_lock(&mu);
  if (forced_n < 64) {
    snprintf(forced[forced_n].function, sizeof forced[forced_n].function, "%s", function);
    forced[forced_n].logic = logic;
    forced[forced_n].rc = rc;
    forced[forced_n].times = times;
    forced_n++;
  }
  pthread_mutex_unlock(&mu);
}

EXPORT void dcmiDouble_setErrorCodes(int logic, int count, unsigned int c0, unsigned int c1, unsigned int c2) {
  pthread_mutex_lock(&mu);
  unsigned int all[3] = {c0, c1, c2};
  npus[logic].code_count = count;
  for (int i = 0; i < count && i < 3; i++) npus[logic].codes[i] = all[i];
  pthread_mutex_unlock(&mu);
}

EXPORT void dcmiDouble_setLost(int logic, int lost) {
  pthread_mutex_lock(&mu);
  npus[logic].lost = lost;
  pthread_mutex_unlock(&mu);
}

EXPORT long dcmiDouble_calls(const char *function) {
  long n = 0;
  pthread_mutex_lock(&mu);
  for (int i = 0; i < calls_n; i++) {
    if (strcmp(calls[i].function, function) == 0) n = calls[i].count;
  }
  pthread_mutex_unlock(&mu);
  return n;
}

EXPORT long dcmiDouble_initCount(void) {
  return inits;
}

#define LAYOUT(s, f) if (strcmp(structName, #s) == 0 && strcmp(field, #f) == 0) return (long) offsetof(struct s, f);
EXPORT long dcmiDouble_offsetof(const char *structName, const char *field) {
  LAYOUT(dcmi_hbm_info, memory_size) LAYOUT(dcmi_hbm_info, freq) LAYOUT(dcmi_hbm_info, memory_usage)
  LAYOUT(dcmi_hbm_info, temp) LAYOUT(dcmi_hbm_info, bandwith_util_rate)
  LAYOUT(dcmi_chip_info_v2, chip_type) LAYOUT(dcmi_chip_info_v2, chip_name) LAYOUT(dcmi_chip_info_v2, chip_ver)
  LAYOUT(dcmi_chip_info_v2, aicore_cnt) LAYOUT(dcmi_chip_info_v2, npu_name)
  LAYOUT(dcmi_pcie_info_all, domain) LAYOUT(dcmi_pcie_info_all, bdf_busid) LAYOUT(dcmi_pcie_info_all, bdf_deviceid)
  LAYOUT(dcmi_pcie_info_all, bdf_funcid)
  LAYOUT(dcmi_multi_utilization_info, aic_util) LAYOUT(dcmi_multi_utilization_info, aiv_util)
  LAYOUT(dcmi_multi_utilization_info, aicore_util) LAYOUT(dcmi_multi_utilization_info, npu_util)
  LAYOUT(dcmi_ecc_info, single_bit_error_cnt) LAYOUT(dcmi_ecc_info, double_bit_error_cnt)
  LAYOUT(dcmi_ecc_info, total_single_bit_error_cnt) LAYOUT(dcmi_ecc_info, total_double_bit_error_cnt)
  return -1;
}

EXPORT long dcmiDouble_sizeof(const char *structName) {
  if (strcmp(structName, "dcmi_hbm_info") == 0) return sizeof(struct dcmi_hbm_info);
  if (strcmp(structName, "dcmi_chip_info_v2") == 0) return sizeof(struct dcmi_chip_info_v2);
  if (strcmp(structName, "dcmi_pcie_info_all") == 0) return sizeof(struct dcmi_pcie_info_all);
  if (strcmp(structName, "dcmi_die_id") == 0) return sizeof(struct dcmi_die_id);
  if (strcmp(structName, "dcmi_multi_utilization_info") == 0) return sizeof(struct dcmi_multi_utilization_info);
  if (strcmp(structName, "dcmi_ecc_info") == 0) return sizeof(struct dcmi_ecc_info);
  return -1;
}

/* ---- DCMI */
EXPORT int dcmi_init(void) {
  pthread_mutex_lock(&mu);
  count_call("dcmi_init");
  int rc = forced_rc("dcmi_init", -1);
  if (rc == 0) inits++;
  LEAVE(rc)
}

EXPORT int dcmi_get_dcmi_version(char *dcmi_ver, int buf_size) {
  pthread_mutex_lock(&mu);
  int rc = forced_rc("dcmi_get_dcmi_version", -1);
  if (rc == 0) snprintf(dcmi_ver, buf_size, "%s", "24.1.rc2");
  LEAVE(rc)
}

static int card_list(const char *fn, int *card_num, int *list, int list_len) {
  pthread_mutex_lock(&mu);
  count_call(fn);
  int rc = forced_rc(fn, -1);
  if (rc == 0) {
    if (list_len < cards) {
      rc = DCMI_ERR_INVALID_PARAMETER;
    } else {
      *card_num = cards;
      for (int i = 0; i < cards; i++) list[i] = i;
    }
  }
  LEAVE(rc)
}

/* Built with -DDCMI_DOUBLE_OLD_DRIVER (libdcmi_double_old.so), the double is an older driver: it lacks
 * dcmi_get_card_list, dcmi_get_device_chip_info_v2, dcmi_get_device_die_v2 and the period utilization call, and
 * has only their older forms, as drivers before 23.0 do. */
#ifndef DCMI_DOUBLE_OLD_DRIVER
EXPORT int dcmi_get_card_list(int *card_num, int *card_list_out, int list_len) {
  return card_list("dcmi_get_card_list", card_num, card_list_out, list_len);
}
#endif

EXPORT int dcmi_get_card_num_list(int *card_num, int *card_list_out, int list_len) {
  return card_list("dcmi_get_card_num_list", card_num, card_list_out, list_len);
}

EXPORT int dcmi_get_device_num_in_card(int card_id, int *device_num) {
  pthread_mutex_lock(&mu);
  count_call("dcmi_get_device_num_in_card");
  int rc = card_id < 0 || card_id >= cards ? DCMI_ERR_INVALID_PARAMETER : forced_rc("dcmi_get_device_num_in_card", -1);
  if (rc == 0) *device_num = per_card;
  LEAVE(rc)
}

EXPORT int dcmi_get_device_logic_id(int *device_logic_id, int card_id, int device_id) {
  ENTER_NPU("dcmi_get_device_logic_id")
  (void) n;
  *device_logic_id = logic;
  LEAVE(DCMI_OK)
}

EXPORT int dcmi_get_device_phyid_from_logicid(unsigned int logicid, unsigned int *phyid) {
  pthread_mutex_lock(&mu);
  count_call("dcmi_get_device_phyid_from_logicid");
  int rc = (int) logicid >= cards * per_card ? DCMI_ERR_INVALID_DEVICE_ID
      : forced_rc("dcmi_get_device_phyid_from_logicid", (int) logicid);
  if (rc == 0) *phyid = (unsigned int) npus[logicid].v[K_PHY];
  LEAVE(rc)
}

#ifndef DCMI_DOUBLE_OLD_DRIVER
EXPORT int dcmi_get_device_chip_info_v2(int card_id, int device_id, struct dcmi_chip_info_v2 *chip_info) {
  ENTER_NPU("dcmi_get_device_chip_info_v2")
  memset(chip_info, 0, sizeof *chip_info);
  memcpy(chip_info->chip_type, n->chip_type, 32);
  memcpy(chip_info->chip_name, n->chip_name, 32);
  memcpy(chip_info->chip_ver, n->chip_ver, 32);
  chip_info->aicore_cnt = 20;
  snprintf((char *) chip_info->npu_name, 32, "%s%s", n->chip_type, n->chip_name);
  LEAVE(DCMI_OK)
}
#endif

/* v1 is v2's first 100 bytes (no npu_name). */
EXPORT int dcmi_get_device_chip_info(int card_id, int device_id, struct dcmi_chip_info_v2 *chip_info) {
  ENTER_NPU("dcmi_get_device_chip_info")
  memset(chip_info, 0, 100);
  memcpy(chip_info->chip_type, n->chip_type, 32);
  memcpy(chip_info->chip_name, n->chip_name, 32);
  memcpy(chip_info->chip_ver, n->chip_ver, 32);
  chip_info->aicore_cnt = 20;
  LEAVE(DCMI_OK)
}

EXPORT int dcmi_get_device_pcie_info_v2(int card_id, int device_id, struct dcmi_pcie_info_all *pcie_info) {
  ENTER_NPU("dcmi_get_device_pcie_info_v2")
  memset(pcie_info, 0, sizeof *pcie_info);
  pcie_info->venderid = 0x19e5;
  pcie_info->deviceid = 0xd802;
  pcie_info->domain = (int) n->v[K_PCIE_DOMAIN];
  pcie_info->bdf_busid = (unsigned int) n->v[K_PCIE_BUS];
  pcie_info->bdf_deviceid = (unsigned int) n->v[K_PCIE_DEVICE];
  pcie_info->bdf_funcid = (unsigned int) n->v[K_PCIE_FUNCTION];
  LEAVE(DCMI_OK)
}

#ifndef DCMI_DOUBLE_OLD_DRIVER
EXPORT int dcmi_get_device_die_v2(int card_id, int device_id, int input_type, struct dcmi_die_id *die_id) {
  ENTER_NPU("dcmi_get_device_die_v2")
  for (int i = 0; i < 5; i++) {
    die_id->soc_die[i] = 0x185011D4u + 0x01010101u * (unsigned int) i + (unsigned int) n->v[K_PHY] * 0x100u
        + (unsigned int) input_type;
  }
  LEAVE(DCMI_OK)
}
#endif

EXPORT int dcmi_get_device_health(int card_id, int device_id, unsigned int *health) {
  ENTER_NPU("dcmi_get_device_health")
  *health = (unsigned int) n->v[K_HEALTH];
  LEAVE(DCMI_OK)
}

EXPORT int dcmi_get_device_errorcode_v2(int card_id, int device_id, int *error_count, unsigned int *error_code_list,
    unsigned int list_len) {
  ENTER_NPU("dcmi_get_device_errorcode_v2")
  if (list_len < MAX_CODES) {
    LEAVE(DCMI_ERR_INVALID_PARAMETER)
  }
  *error_count = n->code_count;
  for (int i = 0; i < n->code_count; i++) error_code_list[i] = n->codes[i];
  LEAVE(DCMI_OK)
}

EXPORT int dcmi_get_device_temperature(int card_id, int device_id, int *temperature) {
  ENTER_NPU("dcmi_get_device_temperature")
  *temperature = (int) n->v[K_TEMP];
  LEAVE(DCMI_OK)
}

EXPORT int dcmi_get_device_power_info(int card_id, int device_id, int *power) {
  ENTER_NPU("dcmi_get_device_power_info")
  *power = (int) n->v[K_POWER];
  LEAVE(DCMI_OK)
}

EXPORT int dcmi_get_device_frequency(int card_id, int device_id, int input_type, unsigned int *frequency) {
  ENTER_NPU("dcmi_get_device_frequency")
  int k = input_type == 7 ? K_FREQ_AICORE : input_type == 9 ? K_FREQ_AICORE_MAX : input_type == 6 ? K_FREQ_HBM : -1;
  if (k < 0) {
    LEAVE(DCMI_ERR_NOT_SUPPORT)
  }
  *frequency = (unsigned int) n->v[k];
  LEAVE(DCMI_OK)
}

EXPORT int dcmi_get_device_utilization_rate(int card_id, int device_id, int input_type,
    unsigned int *utilization_rate) {
  ENTER_NPU("dcmi_get_device_utilization_rate")
  int k = input_type == 2 ? K_UTIL_AICORE : input_type == 6 ? K_UTIL_HBM : input_type == 12 ? K_UTIL_VECTOR
      : input_type == 13 ? K_UTIL_OVERALL : -1;
  if (k < 0) {
    LEAVE(DCMI_ERR_NOT_SUPPORT)
  }
  *utilization_rate = (unsigned int) n->v[k];
  LEAVE(DCMI_OK)
}

static void fill_multi(npu_t *n, struct dcmi_multi_utilization_info *u) {
  memset(u, 0, sizeof *u);
  u->aic_util = (unsigned int) n->v[K_MULTI_AIC];
  u->aiv_util = (unsigned int) n->v[K_MULTI_AIV];
  u->aicore_util = (unsigned int) n->v[K_MULTI_AICORE];
  u->npu_util = (unsigned int) n->v[K_MULTI_NPU];
}

EXPORT int dcmi_get_device_multi_utilization_rate(int card_id, int device_id,
    struct dcmi_multi_utilization_info *util_info) {
  ENTER_NPU("dcmi_get_device_multi_utilization_rate")
  fill_multi(n, util_info);
  LEAVE(DCMI_OK)
}

#ifndef DCMI_DOUBLE_OLD_DRIVER
EXPORT int dcmi_get_device_multi_utilization_rate_period(int card_id, int device_id,
    struct dcmi_multi_utilization_info *util_info, int period) {
  ENTER_NPU("dcmi_get_device_multi_utilization_rate_period")
  if (period < 1) {
    LEAVE(DCMI_ERR_INVALID_PARAMETER)
  }
  fill_multi(n, util_info);
  LEAVE(DCMI_OK)
}
#endif

EXPORT int dcmi_get_device_hbm_info(int card_id, int device_id, struct dcmi_hbm_info *hbm_info) {
  ENTER_NPU("dcmi_get_device_hbm_info")
  memset(hbm_info, 0, sizeof *hbm_info);
  hbm_info->memory_size = (unsigned long long) n->v[K_HBM_SIZE];
  hbm_info->freq = (unsigned int) n->v[K_HBM_FREQ];
  hbm_info->memory_usage = (unsigned long long) n->v[K_HBM_USAGE];
  hbm_info->temp = (int) n->v[K_HBM_TEMP];
  hbm_info->bandwith_util_rate = (unsigned int) n->v[K_HBM_BW];
  LEAVE(DCMI_OK)
}

EXPORT int dcmi_get_device_ecc_info(int card_id, int device_id, int input_type, struct dcmi_ecc_info *ecc_info) {
  ENTER_NPU("dcmi_get_device_ecc_info")
  if (input_type != 2) { /* only HBM ECC in this double */
    LEAVE(DCMI_ERR_NOT_SUPPORT)
  }
  memset(ecc_info, 0, sizeof *ecc_info);
  ecc_info->enable_flag = (int) n->v[K_ECC_ENABLE];
  ecc_info->single_bit_error_cnt = (unsigned int) n->v[K_ECC_SBE];
  ecc_info->double_bit_error_cnt = (unsigned int) n->v[K_ECC_DBE];
  ecc_info->total_single_bit_error_cnt = (unsigned int) n->v[K_ECC_TOTAL_SBE];
  ecc_info->total_double_bit_error_cnt = (unsigned int) n->v[K_ECC_TOTAL_DBE];
  LEAVE(DCMI_OK)
}

EXPORT int dcmi_get_device_network_health(int card_id, int device_id, int *result) {
  ENTER_NPU("dcmi_get_device_network_health")
  *result = (int) n->v[K_NETWORK];
  LEAVE(DCMI_OK)
}
