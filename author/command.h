/* command.h - external authors: any program that reads the round's prompt (JSON) on stdin and
 * prints candidate configs on stdout (a language model behind an OpenAI-compatible server,
 * through tools/openai_author.py), and the trainer that gets every result so far. Run with
 * argv only (no shell), a time limit and an output bound; what they print reaches the build
 * only through author_offer_text(), which validates it. Protocol: docs/STRATEGIES.md. */
#ifndef BURN_AUTHOR_COMMAND_H
#define BURN_AUTHOR_COMMAND_H

#include "author/author.h"

/* Defaults of the limits, and the protocol names written in the prompts. */
#define AUTHOR_CMD_TIMEOUT_S LIM_AUTHOR_TIMEOUT_S
#define AUTHOR_TRAIN_TIMEOUT_S LIM_TRAIN_TIMEOUT_S
enum { AUTHOR_CMD_MAX_OUTPUT = LIM_AUTHOR_OUTPUT, AUTHOR_CMD_TAIL = 2048 };
#define AUTHOR_PROTOCOL "burn-author/1"
#define AUTHOR_TRAIN_PROTOCOL "burn-train/1"

typedef struct {
	double timeout_s;      /* wall time; then SIGTERM to its process group, SIGKILL 2 s later
				* (0: the default of the call) */
	size_t max_output;     /* stdout bytes read; past that it is stopped (0: AUTHOR_CMD_MAX_OUTPUT) */
	const char *cwd;       /* folder it runs in (NULL: the current one) */
	const char *log_path;  /* its stderr is appended here (NULL: only the tail is kept) */
} author_cmd_opts;

typedef struct {
	int status;            /* exit status, or -1 if it did not exit by itself */
	int signal;            /* the signal that ended it, or 0 */
	bool timed_out;        /* stopped at the time limit */
	bool flooded;          /* stopped for printing more than max_output bytes */
	bool input_cut;        /* it exited or closed stdin before reading the whole prompt */
	double seconds;
	char *out;             /* what it printed on stdout (NUL-terminated), at most max_output */
	size_t out_len;
	char err_tail[AUTHOR_CMD_TAIL]; /* the end of its stderr */
} author_cmd_result;

/* What author_command() made of the output. */
typedef struct {
	int items;             /* configs found in the output */
	int accepted;          /* accepted as candidates (valid or not) */
	int invalid;           /* accepted, but failed validation (the next round sees why) */
	int repeats;           /* dropped: evaluated before or offered earlier */
	int unused;            /* dropped: the round was full */
	int dropped;           /* dropped: over MAX_CONFIG_BYTES, or holding a NUL byte */
	bool junk;             /* text around the configs was ignored, or the list was cut off */
} author_cmd_stats;

/* Runs argv[0] (looked up in PATH) with argv, writing in[0..len) to its stdin and reading its
 * stdout into r->out; stderr goes to opts->log_path and r->err_tail. Stops it at the time limit
 * or when it prints more than the bound. Returns 0 if it could be started (whatever it did;
 * see r), -1 with e set if not. Free r with author_cmd_result_free(). */
int author_cmd_run(char *const argv[], const char *in, size_t len, const author_cmd_opts *opts,
		   double default_timeout_s, author_cmd_result *r, berr *e);

/* Frees r->out. */
void author_cmd_result_free(author_cmd_result *r);

/* Writes the prompt of ctx's round (protocol burn-author/1): the task, the round, how many
 * candidates, the history summary (best configs, failures with their error text, the last
 * round) and the config format. */
void author_prompt(const author_ctx *ctx, strbuf *b);

/* Finds the configs in an external author's output (a JSON array of config texts or config
 * objects, or YAML documents separated by '---' lines) and offers them in order with
 * author_offer_text(), with origins "PREFIX item K" (or PREFIX + the item's "why"). */
void author_offer_output(author_ctx *ctx, const char *out, size_t len, const char *prefix,
			 author_cmd_stats *st);

/* The command strategy: round 0 offers the default first (like every strategy), then runs
 * argv with the prompt on stdin and offers what it printed. Returns 0, or -1 with e saying
 * what went wrong (could not start, exit status, timed out, flooded, nothing usable): the
 * configs parsed before the problem are offered all the same, and the runner tops the round
 * up at random. st may be NULL. */
int author_command(author_ctx *ctx, char *const argv[], const author_cmd_opts *opts,
		   author_cmd_stats *st, berr *e);

/* Writes the trainer's input (protocol burn-train/1): the task and every record so far. */
void author_train_input(const project *p, const history *h, long round, strbuf *b);

/* Runs the trainer command with author_train_input() on stdin (limits: opts; timeout default
 * AUTHOR_TRAIN_TIMEOUT_S); its stdout and stderr are appended to log (if not NULL). Returns 0
 * if it ran and exited 0, else -1 with e saying why. */
int author_train(const project *p, const history *h, long round, char *const argv[],
		 const author_cmd_opts *opts, strbuf *log, berr *e);

#endif
