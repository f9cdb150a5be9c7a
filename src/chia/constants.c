#include "chia/constants.h"

#include <string.h>

#include "crypto/sha256.h"

#define MAINNET_GENESIS                                                       \
  { 0xcc, 0xd5, 0xbb, 0x71, 0x18, 0x35, 0x32, 0xbf,                           \
    0xf2, 0x20, 0xba, 0x46, 0xc2, 0x68, 0x99, 0x1a,                           \
    0x3f, 0xf0, 0x7e, 0xb3, 0x58, 0xe8, 0x25, 0x5a,                           \
    0x65, 0xc3, 0x0a, 0x2d, 0xce, 0x0e, 0x5f, 0xbb }
#define TESTNET11_GENESIS                                                     \
  { 0x37, 0xa9, 0x0e, 0xb5, 0x18, 0x5a, 0x9c, 0x44,                           \
    0x39, 0xa9, 0x1d, 0xdc, 0x98, 0xbb, 0xad, 0xce,                           \
    0x7b, 0x4f, 0xeb, 0xa0, 0x60, 0xd5, 0x01, 0x16,                           \
    0xa0, 0x67, 0xde, 0x66, 0xbf, 0x23, 0x66, 0x15 }
/* sha256("chiapool simulator"), checked in tests/chia/test_constants.c */
#define SIMULATOR_GENESIS                                                     \
  { 0x74, 0x12, 0x26, 0x2b, 0x95, 0x5b, 0xf4, 0x8e,                           \
    0x09, 0x6b, 0x4e, 0xc9, 0x4a, 0xcb, 0x16, 0xeb,                           \
    0x49, 0x14, 0xdb, 0x36, 0x36, 0x53, 0x06, 0xa5,                           \
    0x7e, 0xf6, 0xfb, 0xfa, 0x81, 0x8b, 0x28, 0xc2 }

#define NEVER UINT32_MAX

static const struct chia_consts mainnet = {
  .name = "mainnet",
  .address_prefix = "xch",
  .genesis_challenge = MAINNET_GENESIS,
  .agg_sig_me_additional_data = MAINNET_GENESIS,
  .min_plot_size = 32,
  .max_plot_size = 50,
  .plot_filter_bits = 9,
  .hard_fork_height = 5496000,
  .plot_filter_128_height = 10542000,
  .plot_filter_64_height = 15592000,
  .plot_filter_32_height = 20643000,
  .pool_sub_slot_iters = 37600000000ULL,
  .difficulty_constant_factor = (chia_u128)1 << 67,
  .num_sps_sub_slot = 64,
  .sub_slot_time_target = 600,
  .sub_slot_iters_starting = 1ULL << 27,
  .difficulty_starting = 7,
  .max_block_cost_clvm = 11000000000ULL,
  .blocks_per_year = 1681920,
};

/* testnet11: its own genesis and AGG_SIG_ME data, k18 plots, the hard fork
 * active from genesis and filter reductions about 3, 6 and 9 years out. */
static const struct chia_consts testnet11 = {
  .name = "testnet11",
  .address_prefix = "txch",
  .genesis_challenge = TESTNET11_GENESIS,
  .agg_sig_me_additional_data = TESTNET11_GENESIS,
  .min_plot_size = 18,
  .max_plot_size = 50,
  .plot_filter_bits = 9,
  .hard_fork_height = 0,
  .plot_filter_128_height = 6029568,
  .plot_filter_64_height = 11075328,
  .plot_filter_32_height = 16121088,
  .pool_sub_slot_iters = 37600000000ULL,
  .difficulty_constant_factor = 10052721566054ULL,
  .num_sps_sub_slot = 64,
  .sub_slot_time_target = 600,
  .sub_slot_iters_starting = 1ULL << 26,
  .difficulty_starting = 30,
  .max_block_cost_clvm = 11000000000ULL,
  .blocks_per_year = 1681920,
};

/* See constants.h for why these values. */
static const struct chia_consts simulator = {
  .name = "simulator",
  .address_prefix = "txch",
  .genesis_challenge = SIMULATOR_GENESIS,
  .agg_sig_me_additional_data = SIMULATOR_GENESIS,
  .min_plot_size = 18,
  .max_plot_size = 50,
  .plot_filter_bits = 2,
  .hard_fork_height = NEVER,
  .plot_filter_128_height = NEVER,
  .plot_filter_64_height = NEVER,
  .plot_filter_32_height = NEVER,
  .pool_sub_slot_iters = 37600000000ULL,
  .difficulty_constant_factor = 10052721566054ULL,
  .num_sps_sub_slot = 64,
  .sub_slot_time_target = 600,
  .sub_slot_iters_starting = 1ULL << 26,
  .difficulty_starting = 30,
  .max_block_cost_clvm = 11000000000ULL,
  .blocks_per_year = 1681920,
};

const struct chia_consts *const consts_all[] = {
  &mainnet, &testnet11, &simulator, NULL,
};

const struct chia_consts *consts_get(const char *name)
{
  if (!name)
    return NULL;
  for (size_t i = 0; consts_all[i]; i++)
    if (!strcmp(consts_all[i]->name, name))
      return consts_all[i];
  return NULL;
}

unsigned consts_plot_filter_bits(const struct chia_consts *c, uint32_t height)
{
  unsigned bits = c->plot_filter_bits, minus = 0;

  if (height >= c->plot_filter_32_height)
    minus = 4;
  else if (height >= c->plot_filter_64_height)
    minus = 3;
  else if (height >= c->plot_filter_128_height)
    minus = 2;
  else if (height >= c->hard_fork_height)
    minus = 1;
  return bits > minus ? bits - minus : 0;
}

cp_err consts_agg_sig_data(const struct chia_consts *c, enum chia_agg_sig op,
                           uint8_t out[32])
{
  struct sha256_ctx ctx;
  uint8_t b = (uint8_t)op;

  if (op == CHIA_AGG_SIG_ME) {
    memcpy(out, c->agg_sig_me_additional_data, 32);
    return CP_OK;
  }
  if (op < CHIA_AGG_SIG_PARENT || op > CHIA_AGG_SIG_PARENT_PUZZLE)
    return CP_INVAL;
  sha256_init(&ctx);
  sha256_update(&ctx, c->agg_sig_me_additional_data, 32);
  sha256_update(&ctx, &b, 1);
  sha256_final(&ctx, out);
  return CP_OK;
}

void consts_pool_reward_prefix(const struct chia_consts *c, uint8_t out[32])
{
  memcpy(out, c->genesis_challenge, 16);
  memset(out + 16, 0, 16);
}
