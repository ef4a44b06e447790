/* lmlang.h - the config language of the LM author: a domain vocabulary on top of the 256
 * byte tokens (numbers, section keywords, type modes, tiers), the prompt (the task and a
 * compact summary of the feedback so far) and the completion (a candidate config in a compact
 * form that decodes to config YAML, which gen/config.c parses back to the canonical config).
 * docs/LM_AUTHOR.md has the grammar. No I/O. */
#ifndef BURN_AUTHOR_LMLANG_H
#define BURN_AUTHOR_LMLANG_H

#include "gen/config.h"
#include "gen/project.h"
#include "gen/records.h"

/* The vocabulary. Ids 0..255 are bytes (only error texts in prompts use them); the specials
 * keep the byte tokenizer's ids. A number 0..99 is one token LL_N0 + v; a larger one is
 * LL_X2..LL_X4 (how many base-100 digits follow) and its digits, most significant first; a
 * negative one is LL_NEG and its magnitude. */
enum {
	LL_BOS = 256, LL_EOS = 257, LL_PAD = 258,
	LL_N0 = 259,                 /* numbers 0..99: 259..358 */
	LL_X2 = LL_N0 + 100, LL_X3, LL_X4, LL_NEG,
	/* the task */
	LL_TASK, LL_LAYER, LL_RELU, LL_LINEAR, LL_BIAS, LL_NOBIAS, LL_PART, LL_CLOCK, LL_EPS,
	LL_WEIGHTS,
	/* feedback */
	LL_BEST, LL_FAIL, LL_ERR, LL_ENDERR, LL_NAN,
	LL_T_FAILED, LL_T_ACCURACY, LL_T_BUDGET, LL_T_FEASIBLE,
	/* the config */
	LL_ANSWER, LL_INPUT, LL_L, LL_SIGNED, LL_UNSIGNED,
	LL_Q0,                       /* the 7 quantization modes, in fx_qmode order */
	LL_O0 = LL_Q0 + 7,           /* the 5 overflow modes, in fx_omode order */
	LL_LATENCY = LL_O0 + 5, LL_RESOURCE,
	LL_WF0,                      /* the 5 WeightFormats, in weight_format order (rom first) */
	LL_MEM = LL_WF0 + WF_COUNT,  /* the part's external memory: LL_MEM and its GB/s */
	LL_VOCAB
};

/* The tokenizer kind recorded in a checkpoint made for this language (lm_config.tok): 16
 * was the language without WeightFormat (Strategy after the ReuseFactor); its checkpoints
 * are refused by lm_load with the tok (and vocab) mismatch named. */
enum { LM_TOK_BURNCFG = 17 };

/* Most feedback entries a prompt holds: best configs, then failures. */
enum { LL_MAX_BEST = 4, LL_MAX_FAIL = 2, LL_ERR_BYTES = 40 };

/* A growable token sequence. */
typedef struct {
	int *v;
	int n, cap;
} ll_seq;

/* Appends token t. */
void ll_push(ll_seq *s, int t);
/* Appends the tokens of integer v (|v| < 10^8). */
void ll_push_num(ll_seq *s, long v);
/* Frees s. */
void ll_free(ll_seq *s);

/* The most tokens a completion of a block of n_layers layers takes (with its LL_EOS). */
int ll_completion_max(int n_layers);

/* Appends c's completion: LL_INPUT type, per layer LL_L weight bias accum result strategy RF
 * WeightFormat, then LL_EOS. A type is sign, quantization, overflow, W, I. */
void ll_encode_config(const config *c, ll_seq *s);

/* Decodes a completion (tokens up to LL_EOS or the end) for p's block into config YAML text
 * (LayerName form). A type's values are written as they are (W 0 or 99 too): gen/config.c
 * judges them. Returns the number of tokens used (with the LL_EOS), or -1 with e saying which
 * token did not fit the grammar; *layers_ok gets how many layers were complete before it. */
int ll_decode_config(const int *t, int n, const project *p, strbuf *yaml, int *layers_ok,
		     berr *e);

/* Appends the prompt for project p given the history h: LL_BOS, the task (layer shapes,
 * part budget and external memory bandwidth if any, clock, eps_max, reward weights), up to LL_MAX_FAIL failures (their config if
 * it parses, and their error text), then up to LL_MAX_BEST best distinct records that built
 * (tier, score, max_err, DSP and LUT in % of the part, latency, config), best last, then
 * LL_ANSWER. Entries are dropped (worst first) while the prompt would leave fewer than
 * ll_completion_max() tokens of ctx; returns -1 with e set if even the task does not fit. */
int ll_prompt(const project *p, const history *h, int ctx, ll_seq *s, berr *e);

/* The feedback of one evaluated config, for prompts built without a history (pretraining). */
typedef struct {
	const config *c;      /* NULL for one that did not parse */
	reward_tier tier;
	double reward, max_err, dsp, lut, latency_cycles;
	const char *error;    /* failures: the error text */
} ll_entry;

/* ll_prompt from a list of entries in the order given (best last; failures before). */
int ll_prompt_entries(const project *p, const ll_entry *ent, int n, int ctx, ll_seq *s, berr *e);

/* The completion grammar as a state machine, for constrained decoding: at each step the set
 * of tokens that can come next, so a completion drawn from that set always decodes. Values
 * are limited to the domain a config can hold: W 1..FX_W_MAX (one token), I -99..99 (no
 * "-0"), no unsigned type with overflow WRAP_SM (fx_valid), ReuseFactor
 * 1..LIM_REUSE with no leading zero digit. The project-aware grammar (ll_gram_init_project)
 * also limits each layer's ReuseFactor to 1..n_in*n_out, under Resource to the ones hls4ml
 * accepts (hls4ml_rf_valid), and its WeightFormat to rom, or a streamed format that fits the
 * layer (config_wfmt_fits) when the part has external memory. */
enum { LL_MASK_WORDS = (LL_VOCAB + 63) / 64 };

/* What the project-aware grammar allows in one layer. */
typedef struct {
	long max_rf;           /* n_in * n_out */
	long *res_rf;          /* the ReuseFactors hls4ml accepts under Resource, ascending */
	int n_res;
	bool wf_ok[WF_COUNT];  /* the WeightFormats the layer may use */
} ll_layer_rules;

typedef struct {
	int n_layers;
	const ll_layer_rules *rules; /* per layer, or NULL: the project-free grammar */
	ll_layer_rules *owned;       /* what ll_gram_free frees (NULL in copies) */
	int slot;      /* the next slot: 0 INPUT, 1-5 its type, then 24 per layer, then EOS */
	int left;      /* a number in progress: base-100 digits still to come (0: none) */
	long val;      /* its value so far */
	bool neg;      /* an integer-bits number after its LL_NEG */
	bool sign;     /* the sign of the type in progress */
	bool resource; /* the Strategy of the layer in progress is Resource */
} ll_gram;

/* Starts the grammar of a completion for a block of n_layers layers. */
void ll_gram_init(ll_gram *g, int n_layers);
/* Starts the project-aware grammar for p's block (see above). A copy of g (struct
 * assignment) shares its rules and is not freed; ll_gram_free frees the original's. */
void ll_gram_init_project(ll_gram *g, const project *p);
/* Frees the rules ll_gram_init_project made (nothing for ll_gram_init). */
void ll_gram_free(ll_gram *g);
/* True if the grammar allows token t next. */
bool ll_gram_allows(const ll_gram *g, int t);
/* Sets mask (bit t % 64 of word t / 64) to the tokens allowed next; returns how many (0 once
 * the LL_EOS was taken). */
int ll_gram_mask(const ll_gram *g, uint64_t mask[LL_MASK_WORDS]);
/* Takes token t: 0, or -1 (g unchanged) if the grammar does not allow it. */
int ll_gram_push(ll_gram *g, int t);
/* True once the completion is complete (its LL_EOS taken). */
bool ll_gram_done(const ll_gram *g);

/* A short human-readable spelling of token t (for messages and tests). */
const char *ll_token_name(int t, char buf[16]);

#endif
