/* libFuzzer harness for reading plot-NFT spends: the node hands us puzzle
 * reveals and solutions from anyone's coins, so the readers must survive any
 * bytes. Input: 2-byte big-endian puzzle length, puzzle, solution. The coin
 * is made to match the puzzle so parsing gets past the hash check; the
 * corpus should start from the absorb/travel vectors of puzzles.json. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chia/coin.h"
#include "clvm/clvm.h"
#include "plotnft/state.h"

#define CHECK(x)                                                              \
  do {                                                                        \
    if (!(x))                                                                 \
      abort();                                                                \
  } while (0)

static struct st_blob blob(const uint8_t *p, size_t n)
{
  struct st_blob b = { malloc(n ? n : 1), n };
  CHECK(b.data);
  if (n)
    memcpy(b.data, p, n);
  return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct chia_coin_spend cs;
  struct plotnft_spend sp;
  struct plotnft_launch l;
  uint8_t id[32];
  size_t plen;

  if (size < 2)
    return 0;
  plen = (size_t)data[0] << 8 | data[1];
  if (plen > size - 2)
    return 0;
  memset(&cs, 0, sizeof cs);
  memset(cs.coin.parent_coin_info, 0x5a, 32);
  cs.coin.amount = 1;
  if (clvm_tree_hash_bytes(data + 2, plen, cs.coin.puzzle_hash))
    memset(cs.coin.puzzle_hash, 0, 32);
  cs.puzzle_reveal = blob(data + 2, plen);
  cs.solution = blob(data + 2 + plen, size - 2 - plen);

  if (plotnft_spend_parse(&cs, &sp) == CP_OK) {
    coin_id(&cs.coin, id);
    CHECK(!memcmp(sp.next.parent_coin_info, id, 32));
    CHECK(sp.next.amount == cs.coin.amount);
    CHECK(sp.action == PLOTNFT_ABSORB || sp.action == PLOTNFT_TRAVEL);
  }
  if (plotnft_launch_parse(&cs, &l) == CP_OK)
    CHECK(l.eve.amount & 1);
  chia_coin_spend_release(&cs);
  return 0;
}
