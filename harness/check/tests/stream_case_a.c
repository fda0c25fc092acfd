/* stream_case_a.c: the hand-made tumbling-window run shared by the
 * operator tests (it must check clean) and the mismatch tests (each plants
 * one fault into its otherwise correct output). Derived by hand from
 * reference/stream/README.md, step by step:
 *
 *   job: filter value != 99, tumbling 100 ms, out_of_orderness 10 ms,
 *        no allowed lateness; sinks out, late, bad.
 *   off  key ts  value   W_before -> W after   what happens
 *    0   a    5    1     -inf  -> -6         window [0,100) a
 *    1   b   50    2      -6   -> 39         window [0,100) b
 *    2   a   95   99      39   -> 84         filtered out (still moves W)
 *    3   a   99    3      84   -> 88         window [0,100) a
 *    4   b  120    4      88   -> 109        window [100,200) b; W reaches 99:
 *                                             [0,100) a {0,3} and b {1} fire
 *                                             (end, start, key order), through 5
 *    5   a   30    5     109               [0,100) expired (109 >= 99): late
 *    6   "notjson"                         bad: an error record, W unchanged
 *    7   a  250    6     109   -> 239        window [200,300) a; [100,200) b {4}
 *                                             fires, through 8
 *   [200,300) a never fires (no later record): not in the output. */
#include "stream_case_a.h"

#include <string.h>

const char *const CASE_A_JOB =
    "name: case-a\n"
    "time: {out_of_orderness_ms: 10}\n"
    "sources:\n"
    "  - {name: in, topic: in, format: json}\n"
    "pipeline:\n"
    "  - filter: {field: value, ne: 99}\n"
    "  - window: {type: tumbling, size_ms: 100}\n"
    "sinks: {output: out, late: late, errors: bad}\n";

void case_a(fx *f, case_a_plant plant) {
  static const char *const in[] = {
      "{'key':'a','ts':5,'value':1}",   "{'key':'b','ts':50,'value':2}",
      "{'key':'a','ts':95,'value':99}", "{'key':'a','ts':99,'value':3}",
      "{'key':'b','ts':120,'value':4}", "{'key':'a','ts':30,'value':5}",
  };
  static const char *const kk[] = {"a", "b", "a", "a", "b", "a"};
  fx_input(f, "in", 0, in, kk, 6);
  fx_input_raw(f, "in", 0, "notjson", 7, NULL);
  static const char *const in7[] = {"{'key':'a','ts':250,'value':6}"};
  fx_input(f, "in", 0, in7, kk, 1);

  const char *w_a =
      plant == PLANT_WRONG_SUM
          ? "{'kind':'window','key':'a','ts':99,'value':2,'window':'tumbling','start':0,'end':100,'rev':0,"
            "'count':2,'sum':5,'min':1,'max':3,'avg':2,'offsets':[0,3],'through':5,'wm':109}"
      : plant == PLANT_OFFSET_TWICE
          ? "{'kind':'window','key':'a','ts':99,'value':2,'window':'tumbling','start':0,'end':100,'rev':0,"
            "'count':2,'sum':4,'min':1,'max':3,'avg':2,'offsets':[0,3,3],'through':5,'wm':109}"
          : "{'kind':'window','key':'a','ts':99,'value':2,'window':'tumbling','start':0,'end':100,'rev':0,"
            "'count':2,'sum':4,'min':1,'max':3,'avg':2,'offsets':[0,3],'through':5,'wm':109}";
  const char *w_b0 =
      "{'kind':'window','key':'b','ts':99,'value':1,'window':'tumbling','start':0,'end':100,'rev':0,"
      "'count':1,'sum':2,'min':2,'max':2,'avg':2,'offsets':[1],'through':5,'wm':109}";
  const char *w_b1 =
      "{'kind':'window','key':'b','ts':199,'value':1,'window':'tumbling','start':100,'end':200,'rev':0,"
      "'count':1,'sum':4,'min':4,'max':4,'avg':4,'offsets':[4],'through':8,'wm':239}";
  if (plant == PLANT_SWAP) {
    fx_out(f, "out", 0, w_b0);
    fx_out(f, "out", 0, w_a);
  } else {
    fx_out(f, "out", 0, w_a);
    if (plant == PLANT_DUPLICATE)
      fx_out(f, "out", 0,
             "{'kind':'window','key':'a','ts':99,'value':2,'window':'tumbling','start':0,'end':100,'rev':0,"
             "'count':2,'sum':4,'min':1,'max':3,'avg':2,'offsets':[0,3],'through':5,'wm':109,'seq':0}");
    if (plant != PLANT_DROP_RESULT) fx_out(f, "out", 0, w_b0);
  }
  if (plant == PLANT_UNEXPECTED)
    fx_out(f, "out", 0,
           "{'kind':'event','key':'a','ts':95,'value':99,'offset':2,'event':{'key':'a','ts':95,'value':99},"
           "'through':3,'wm':39}");
  if (plant == PLANT_MALFORMED) fx_input_raw(f, "out", 0, "{\"v\":1,\"kind\":\"window\"", 23, "a");
  if (plant == PLANT_WRONG_PARTITION) {
    fx_topic(f, "out", 2); /* task 0 must write to partition 0 mod 2 = 0 */
    fx_out(f, "out", 1, w_b1);
  } else {
    fx_out(f, "out", 0, w_b1);
  }

  if (plant != PLANT_DROP_LATE)
    fx_out(f, "late", 0,
           "{'kind':'late','key':'a','ts':30,'value':5,'op':1,'op_kind':'window','input':0,'offset':5,"
           "'event':{'key':'a','ts':30,'value':5},'input_wm':109,'through':6,'wm':109}");
  else
    fx_topic(f, "late", 1);
  fx_out(f, "bad", 0,
         "{'kind':'error','input':0,'input_topic':'in','offset':6,'reason':'not JSON',"
         "'payload_len':7,'payload_hex':'6e6f746a736f6e','through':7,'wm':109}");
  if (plant == PLANT_CUT_OUTPUT) fx_cut(f, "out", 0);
}
