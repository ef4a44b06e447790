/* gemv_roof.c - decoder-pass shapes and the byte and MAC counts of the roofline. */
#include <string.h>

#include "kernels/gemv_roof.h"

/* NanoCoder (issue 7): v1 hidden 128, MLP 512, byte vocab 256, ~1.7 M parameters; v2 hidden
 * 256, MLP 1024, BPE vocab 4,096, ~7.5 M parameters. A layer holds 4h^2 + 2*h*mlp weights
 * (196,608 for v1, 786,432 for v2), so both sizes mean 8 layers beside the embedding. */
static const roof_mat nc1[] = {
	{"qkv", 384, 128, 8}, {"proj", 128, 128, 8}, {"up", 512, 128, 8}, {"down", 128, 512, 8},
	{"head", 256, 128, 1},
};
static const roof_mat nc2[] = {
	{"qkv", 768, 256, 8}, {"proj", 256, 256, 8}, {"up", 1024, 256, 8}, {"down", 256, 1024, 8},
	{"head", 4096, 256, 1},
};
/* Qwen2.5-1.5B: 28 layers, hidden 1536, intermediate 8960, 12 query and 2 KV heads of 128,
 * vocab 151,936 (the LM head is the tied embedding, still one GEMV per token). */
static const roof_mat qw[] = {
	{"q", 1536, 1536, 28},    {"k", 256, 1536, 28},     {"v", 256, 1536, 28},
	{"o", 1536, 1536, 28},    {"gate", 8960, 1536, 28}, {"up", 8960, 1536, 28},
	{"down", 1536, 8960, 28}, {"head", 151936, 1536, 1},
};
static const roof_model models[] = {
	{"nanocoder-v1", nc1, sizeof nc1 / sizeof nc1[0]},
	{"nanocoder-v2", nc2, sizeof nc2 / sizeof nc2[0]},
	{"qwen2.5-1.5b", qw, sizeof qw / sizeof qw[0]},
};

const roof_model *roof_model_get(const char *name)
{
	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
		if (strcmp(models[i].name, name) == 0)
			return &models[i];
	return NULL;
}

double roof_bytes(const gemv_engine *g, int rows, int cols)
{
	double w = (double)rows * cols;
	return g->w4 ? w / 2 + w / g->group * 4 : w + 8.0 * rows;
}

void roof_totals(const roof_model *m, const gemv_engine *g, double *macs, double *bytes)
{
	*macs = *bytes = 0;
	for (int i = 0; i < m->n; i++) {
		*macs += (double)m->mats[i].rows * m->mats[i].cols * m->mats[i].count;
		*bytes += roof_bytes(g, m->mats[i].rows, m->mats[i].cols) * m->mats[i].count;
	}
}
