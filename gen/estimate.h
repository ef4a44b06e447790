/* estimate.h - analytical model of resources and latency of a config on a part
 * (derivation in docs/ESTIMATE.md). No I/O. */
#ifndef BURN_ESTIMATE_H
#define BURN_ESTIMATE_H

#include "gen/config.h"
#include "gen/project.h"

typedef struct {
	long mults;          /* parallel multipliers P = ceil(n_in*n_out/RF) (either strategy) */
	long dsp;            /* DSP slices */
	long lut, ff;
	long bram18;         /* 18 Kb block RAMs for weights */
	long lutram_bits;    /* weight ROM bits built from LUTs instead (a shallow ROM) */
	long latency;        /* cycles this layer adds to a lone input's latency: its wait for
			      * the slot boundary plus G*D + 5 (kernels/rtl.h rtl_fold) */
	long ii;             /* initiation interval: ceil(n_in*n_out/P) cycles, RF when RF divides it */
} layer_estimate;

typedef struct {
	int n_layers;
	layer_estimate *layers;
	layer_estimate total; /* sums (latency: the RTL's, as burn rtlsim measures it); ii = max */
	double latency_ns;    /* total.latency * clock */
} estimate;

/* Structure counts of one layer's RTL (kernels/rtl.c) that its LUTs and FFs are made of; the
 * model is LUT = sum of est_lut_coef[k] * term[k], FF the same with est_ff_coef
 * (docs/ESTIMATE.md defines each term and how the coefficients were fitted). */
enum {
	EST_T_BANK,       /* input bank register bits */
	EST_T_BANK_MUX,   /* bank bits with a load/rotate multiplexer (slot > 1) */
	EST_T_ROM_REG,    /* output register bits of a weight ROM built from logic */
	EST_T_ROM_LUT,    /* LUT6 of a logic ROM: one per distinct bit column per 64 words */
	EST_T_LANE_REG,   /* operand and product register bits the DSPs do not absorb */
	EST_T_SOFT_MUL,   /* operand bit pairs of LUT multipliers */
	EST_T_SPLIT_ADD,  /* adder bits joining the partial products of a multi-DSP product */
	EST_T_ACC_FABRIC, /* accumulator bits outside the DSP (register, adder, start multiplexer) */
	EST_T_ACC_CHAIN,  /* accumulator bits of one-product lanes (D = 1): a register and an adder */
	EST_T_QUANT,      /* aligned-sum bits of quantizing accumulators */
	EST_T_QUANT_MODE, /* accumulator bits that round or saturate (each counts once) */
	EST_T_RESULT,     /* result bits of the result casts (one per lane ending outputs) */
	EST_T_RESULT_MODE,/* result bits that round or saturate (each counts once) */
	EST_T_OUT,        /* output bits (the output chain and the output register hold each) */
	EST_T_OPMUX,      /* operand multiplexer bits of lanes that run two stages */
	EST_T_BIAS_MUX,   /* bias multiplexer bits of lanes that start several outputs */
	EST_T_CTRL,       /* counter bits (slot, phase), their copies and the stage valid bits */
	EST_N_TERMS
};

/* The fitted coefficients, per term, for LUTs and for FFs. */
extern const double est_lut_coef[EST_N_TERMS], est_ff_coef[EST_N_TERMS];

/* Name of term k ("bank", "rom_lut", ...). */
const char *estimate_term_name(int k);

/* Structure counts of layer k of c on p's part (needs the block and part) into
 * terms[EST_N_TERMS], summed over the layers when k < 0. */
int estimate_terms(const project *p, const config *c, int k, double *terms, berr *e);

/* True if the estimate of c reads p's weights (layers' w and b): a ROM-format layer at one
 * product per lane (D = 1), whose weights are Verilog constants that set the DSP count, or
 * one whose accumulator the types alone do not prove exact (rtl_accum_exact decides it from
 * the weights, as the RTL does). Without them estimate_run counts one multiplier per lane at
 * D = 1 and takes such an accumulator as quantizing: upper bounds. */
bool estimate_needs_weights(const project *p, const config *c);

/* Estimates a config on the project's part and clock (needs block, part, clock). Errors
 * (missing sections, layer count mismatch, a bad part) leave out empty. */
int estimate_run(const project *p, const config *c, estimate *out, berr *e);

/* Frees out's storage. */
void estimate_free(estimate *out);

#endif
