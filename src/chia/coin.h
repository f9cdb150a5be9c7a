/* Coins, amounts and block rewards.
 *
 * coin id = sha256(parent_coin_info || puzzle_hash || amount as a CLVM int:
 * minimal signed big-endian, 0 -> empty), chia_rs Coin::coin_id.
 * Rewards (chia/consensus/block_rewards.py): height 0 is the 21,000,000 XCH
 * prefarm; after that 2 XCH per block halving every 3 "years" of 1,681,920
 * blocks down to 0.125 XCH from year 12; the pool coin gets 7/8 and the
 * farmer coin 1/8 (fees go to the farmer coin). Reward coin parent ids
 * (chia/consensus/coinbase.py): genesis challenge half || height as 16-byte
 * big-endian. */
#ifndef CP_CHIA_COIN_H
#define CP_CHIA_COIN_H

#include <stddef.h>
#include <stdint.h>

#include "chia/types.h"
#include "util/err.h"

#define CHIA_MOJO_PER_XCH 1000000000000ULL
#define CHIA_BLOCKS_PER_YEAR 1681920u
/* Longest coin_mojo_format output: "18446744.073709551615" + NUL. */
#define CHIA_XCH_STR_MAX 24

/* queries */
void coin_id(const struct chia_coin *c, uint8_t out[32]);
/* CLVM integer bytes of a uint64 (0..9 bytes); returns the length. */
size_t coin_amount_clvm(uint64_t amount, uint8_t out[9]);

/* mojo <-> XCH decimal text: "1.75", "0.000000000001", "21000000"; no
 * exponent, no sign, at most 12 decimals. */
cp_err coin_mojo_format(uint64_t mojo, char *out, size_t cap);
cp_err coin_xch_parse(const char *s, size_t len, uint64_t *mojo);

/* rewards by height, in mojo */
uint64_t coin_pool_reward(uint32_t height);
uint64_t coin_farmer_reward(uint32_t height); /* base, without fees */
void coin_pool_parent_id(const uint8_t genesis[32], uint32_t height,
                         uint8_t out[32]);
void coin_farmer_parent_id(const uint8_t genesis[32], uint32_t height,
                           uint8_t out[32]);

/* bundles */
/* SpendBundle.aggregate of two: from's coin spends are moved to the end of
 * into's and the signatures summed. On success from is left empty (its
 * spends belong to into); on error (CP_BAD_SIGNATURE for a signature
 * Chia would reject, CP_TOO_BIG past UINT32_MAX spends) both are as
 * they were. */
cp_err coin_bundle_merge(struct chia_spend_bundle *into, struct chia_spend_bundle *from);

#endif
