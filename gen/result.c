/* result.c - the one writer (and reader) of step result files. */
#include "gen/result.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gen/json.h"
#include "gen/reward.h"

/* The tail of msg that fits in a result. */
static const char *tail(const char *msg)
{
	size_t n = strlen(msg);
	return n > RESULT_ERROR_MAX ? msg + n - RESULT_ERROR_MAX : msg;
}

void result_write_failed(strbuf *b, const char *step, const char *msg)
{
	jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "step", step);
	jw_kstr(&w, "status", "failed");
	jw_kstr(&w, "error", tail(msg));
	jw_end_obj(&w);
}

void result_write_csim(strbuf *b, const project *p, const csim_result *r)
{
	jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "step", "csim");
	jw_kstr(&w, "status", "ok");
	jw_kdouble(&w, "max_err", r->max_err);
	jw_kdouble(&w, "mean_err", r->mean_err);
	jw_kdouble(&w, "max_ref", r->max_ref);
	if (r->softmax)
		jw_kstr(&w, "softmax", "float: the block's final softmax has no fixed-point form yet; "
				      "it is applied in double to the fixed-point output and to the "
				      "reference, so max_err and mean_err compare probabilities");
	jw_klong(&w, "n_vectors", r->n_vectors);
	jw_key(&w, "layers");
	jw_arr(&w);
	for (int k = 0; k < r->n_layers; k++) {
		const csim_layer *l = &r->layers[k];
		jw_obj(&w);
		jw_kstr(&w, "name", p->layers[k].name);
		jw_kdouble(&w, "max_err", l->max_err);
		jw_kdouble(&w, "mean_err", l->mean_err);
		jw_klong(&w, "input_overflow", (long long)l->in.overflow);
		jw_klong(&w, "accum_overflow", (long long)l->acc.overflow);
		jw_klong(&w, "result_overflow", (long long)l->res.overflow);
		jw_klong(&w, "accum_quantized", (long long)l->acc.quantized);
		jw_klong(&w, "result_quantized", (long long)l->res.quantized);
		if (p->layers[k].ew_name[0]) { /* its SiLU or product (a swiglu gate or up) */
			jw_key(&w, p->layers[k].kind == LK_GATE ? "silu" : "mul");
			jw_obj(&w);
			jw_kstr(&w, "name", p->layers[k].ew_name);
			jw_kdouble(&w, "max_err", l->ew_max_err);
			jw_kdouble(&w, "mean_err", l->ew_mean_err);
			if (p->layers[k].kind == LK_GATE)
				jw_kdouble(&w, "table_max_err", l->silu_table_err);
			jw_klong(&w, "result_overflow", (long long)l->ew.overflow);
			jw_klong(&w, "result_quantized", (long long)l->ew.quantized);
			jw_end_obj(&w);
		}
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_end_obj(&w);
}

static void write_layer_estimate(jw *w, const layer_estimate *l)
{
	jw_klong(w, "mults", l->mults);
	jw_klong(w, "dsp", l->dsp);
	jw_klong(w, "lut", l->lut);
	jw_klong(w, "ff", l->ff);
	jw_klong(w, "bram18", l->bram18);
	jw_klong(w, "lutram_bits", l->lutram_bits);
	jw_klong(w, "latency_cycles", l->latency);
	jw_klong(w, "ii", l->ii);
}

void result_write_estimate(strbuf *b, const project *p, const estimate *est)
{
	jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "step", "estimate");
	jw_kstr(&w, "status", "ok");
	jw_kstr(&w, "part", p->part.name);
	write_layer_estimate(&w, &est->total);
	jw_kdouble(&w, "latency_ns", est->latency_ns);
	jw_key(&w, "layers");
	jw_arr(&w);
	for (int k = 0; k < est->n_layers; k++) {
		jw_obj(&w);
		jw_kstr(&w, "name", p->layers[k].name);
		write_layer_estimate(&w, &est->layers[k]);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_end_obj(&w);
}

/* The fidelity label: "estimate", one step's name, or the latency's and the resources'. */
static void fidelity_label(const step_result *lat, const step_result *res, char *buf, size_t n)
{
	if (!lat && !res)
		snprintf(buf, n, "estimate");
	else if (!lat || !res || strcmp(lat->step, res->step) == 0)
		snprintf(buf, n, "%s", lat ? lat->step : res->step);
	else
		snprintf(buf, n, "%s+%s", lat->step, res->step);
}

void result_write_reward(strbuf *b, const project *p, const step_result *cs, const step_result *es,
			 const hw_results *hw)
{
	static const hw_results none = {0};
	if (!hw)
		hw = &none;
	const step_result *rs = hw->rtlsim, *ss = hw->synth, *hs = hw->hls, *vs = hw->vivado;
	/* Where the resources come from: the most faithful step that ran (Vivado's netlist, then
	 * HLS's estimate of its own design, then Yosys on burn's RTL), else the estimate. */
	const step_result *res = vs ? vs : hs ? hs : ss;
	/* Where the latency comes from: HLS's worst case (the design the resources describe, and
	 * the one an hls4ml user builds) when HLS ran and reported one, else rtlsim's measured
	 * cycles of burn's RTL, else the estimate. */
	double hls_cycles = hs && hs->ok ? result_num(hs, "latency_cycles", NAN) : NAN;
	const step_result *lat = hs && (!hs->ok || isfinite(hls_cycles)) ? hs : rs;
	const step_result *rsrc = res && res->ok ? res : es;
	reward_input in = {
		.built = cs->ok && es->ok && (!rs || rs->ok) && (!ss || ss->ok) && (!hs || hs->ok) &&
			 (!vs || vs->ok),
		.max_err = result_num(cs, "max_err", NAN),
		.lut = result_num(rsrc, "lut", NAN),
		.ff = result_num(rsrc, "ff", NAN),
		.dsp = result_num(rsrc, "dsp", NAN),
		.bram18 = result_num(rsrc, "bram18", NAN),
		.latency_ns = result_num(es, "latency_ns", NAN),
	};
	double cycles = result_num(es, "latency_cycles", NAN);
	if (lat && lat->ok) {
		cycles = result_num(lat, lat == hs ? "latency_cycles" : "cycles", NAN);
		in.latency_ns = cycles * p->clock_ns;
	}
	char fidelity[32];
	fidelity_label(lat, res, fidelity, sizeof fidelity);
	reward_output out;
	reward_eval(&in, &p->part, p->clock_ns, p->eps_max, &p->reward, project_macs(p), &out);
	jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "step", "reward");
	jw_kstr(&w, "status", "ok");
	jw_kstr(&w, "tier", reward_tier_name(out.tier));
	jw_kdouble(&w, "reward", out.reward);
	jw_kdouble(&w, "score", out.score);
	jw_kstr(&w, "why", out.why ? out.why : "");
	jw_kstr(&w, "fidelity", fidelity);
	jw_kdouble(&w, "max_err", in.max_err);
	jw_kdouble(&w, "mean_err", result_num(cs, "mean_err", NAN));
	jw_kdouble(&w, "eps_max", p->eps_max);
	jw_kdouble(&w, "lut", in.lut);
	jw_kdouble(&w, "ff", in.ff);
	jw_kdouble(&w, "dsp", in.dsp);
	jw_kdouble(&w, "bram18", in.bram18);
	jw_kdouble(&w, "latency_ns", in.latency_ns);
	jw_kdouble(&w, "latency_cycles", cycles);
	if (lat == hs && hs && hs->ok && rs && rs->ok) /* burn's RTL, beside HLS's design */
		jw_kdouble(&w, "rtlsim_cycles", result_num(rs, "cycles", NAN));
	if (res && res->ok) {
		/* the estimate beside the measurement, for calibration */
		jw_kdouble(&w, "est_lut", result_num(es, "lut", NAN));
		jw_kdouble(&w, "est_ff", result_num(es, "ff", NAN));
		jw_kdouble(&w, "est_dsp", result_num(es, "dsp", NAN));
		jw_kdouble(&w, "est_bram18", result_num(es, "bram18", NAN));
	}
	const ynode *layers = ymap_get(cs->doc.root, "layers");
	if (cs->ok && layers && layers->kind == YN_SEQ) {
		jw_key(&w, "layer_max_err");
		jw_arr(&w);
		for (size_t k = 0; k < layers->n; k++) {
			const ynode *v = ymap_get(layers->items[k], "max_err");
			double x = NAN;
			if (v && v->kind == YN_SCALAR)
				parse_double(v->str, &x);
			jw_double(&w, x);
		}
		jw_end_arr(&w);
	}
	const step_result *bad = !cs->ok ? cs : !es->ok ? es : rs && !rs->ok ? rs : ss && !ss->ok ? ss
				 : hs && !hs->ok ? hs : vs && !vs->ok ? vs : NULL;
	if (bad) {
		jw_kstr(&w, "failed_step", bad->step);
		jw_kstr(&w, "error", tail(bad->error ? bad->error : "(no error text)"));
	}
	jw_end_obj(&w);
}

int result_read(const char *path, step_result *r, berr *e)
{
	memset(r, 0, sizeof *r);
	if (ydoc_load(path, &r->doc, e) != 0)
		return -1;
	const ynode *root = r->doc.root;
	const char *status = NULL;
	if (!root || root->kind != YN_MAP || yget_str(&r->doc, root, "", "step", true, &r->step, e) != 0 ||
	    yget_str(&r->doc, root, "", "status", true, &status, e) != 0) {
		if (!root || root->kind != YN_MAP)
			errf(e, "%s: not a burn result file", path);
		ydoc_free(&r->doc);
		return -1;
	}
	r->ok = strcmp(status, "ok") == 0;
	yget_str(&r->doc, root, "", "error", false, &r->error, NULL);
	return 0;
}

double result_num(const step_result *r, const char *key, double dflt)
{
	const ynode *v = ymap_get(r->doc.root, key);
	double x;
	if (!v || v->kind != YN_SCALAR || parse_double(v->str, &x) != 0)
		return dflt;
	return x;
}

void result_free(step_result *r)
{
	ydoc_free(&r->doc);
}
