/* export.c - burn export: hands a sweep's chosen design to another flow: its RTL and ROM
 * images, a FuseSoC core file, Vivado constraints and the config in hls4ml's form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/cmds.h"
#include "gen/config.h"
#include "gen/records.h"
#include "gen/ydoc.h"
#include "kernels/rtl.h"

const char usage_export[] =
	"usage: burn export SWEEP_DIR -o OUT [--id ID]\n"
	"\n"
	"Writes the best design of the sweep in SWEEP_DIR (or candidate ID) as a folder another\n"
	"flow can take: OUT/rtl/*.v and the ROM images (*.hex) of burn_top, OUT/burn_top.core\n"
	"(a FuseSoC CAPI2 core: `fusesoc library add burn OUT`), OUT/burn_top.xdc (the clock\n"
	"constraint for Vivado) and OUT/hls4ml.yaml (the config as an hls4ml HLSConfig).\n";

static void put(const char *dir, const char *name, const char *text, size_t len)
{
	berr e;
	char *p = path_join(dir, name);
	if (write_file_atomic(p, text, len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	free(p);
}

int cmd_export(int argc, char **argv)
{
	const char *sweep = NULL, *out = NULL, *id = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--id") == 0 && i + 1 < argc)
			id = argv[++i];
		else if (argv[i][0] == '-' || sweep)
			die(EXIT_BADINPUT, "export: unexpected argument '%s'", argv[i]);
		else
			sweep = argv[i];
	}
	if (!sweep || !out) {
		fputs(usage_export, stderr);
		return EXIT_BADINPUT;
	}
	berr e;
	char *rj = path_join(sweep, "results.json");
	ydoc d;
	if (ydoc_load(rj, &d, &e) != 0)
		die(EXIT_BADINPUT, "%s (is %s a finished sweep?)", e.msg, sweep);
	const char *best = NULL;
	if (yget_str(&d, d.root, "", "best", false, &best, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	if (!id)
		id = best;
	if (!id || !cand_id_ok(id))
		die(EXIT_BADINPUT, "%s: no valid candidate to export%s", rj, id ? " (bad id)" : "");
	/* the candidate's canonical config, from its folder */
	strbuf cp = {0};
	sb_printf(&cp, "%s/c/%s/config.yaml", sweep, id);
	char *facet = path_join(sweep, "facets/csim.yaml");
	char *pfacet = path_join(sweep, "facets/estimate.yaml");
	project p, pp;
	config c;
	if (project_load(facet, true, &p, &e) != 0 || project_load(pfacet, false, &pp, &e) != 0 ||
	    config_load(cp.s, &p, &c, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	rtl_design rd;
	if (project_dense_chain(&p, "the RTL emitter", &e) != 0 ||
	    config_rom_only(&c, &p, "the RTL emitter", &e) != 0 || rtl_emit(&p, &c, &rd, &e) != 0)
		die(EXIT_BADINPUT, "%s: %s", id, e.msg);
	char *rtl = path_join(out, "rtl");
	if (mkdirs(rtl, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	strbuf core = {0};
	sb_printf(&core, "CAPI=2:\n# written by burn export from sweep candidate %s\n"
			 "name: burnttt:designs:burn_top:0\n"
			 "description: \"BurnTTT design for %s, clock %g ns\"\n\n"
			 "filesets:\n  rtl:\n    files:\n",
		  id, pp.part.device, pp.clock_ns);
	for (int i = 0; i < rd.n_files; i++) {
		const rtl_file *f = &rd.files[i];
		put(rtl, f->name, f->text.s ? f->text.s : "", f->text.len);
		/* ROM images are read by $readmemh from the tool's working folder */
		if (strstr(f->name, ".hex"))
			sb_printf(&core, "      - rtl/%s: {file_type: user, copyto: %s}\n", f->name,
				  f->name);
		else
			sb_printf(&core, "      - rtl/%s\n", f->name);
	}
	sb_puts(&core, "    file_type: verilogSource\n  constraints:\n    files:\n"
		       "      - burn_top.xdc: {file_type: xdc}\n\n"
		       "targets:\n  default:\n    filesets: [rtl]\n    toplevel: burn_top\n"
		       "  synth:\n    default_tool: vivado\n    filesets: [rtl, constraints]\n"
		       "    toplevel: burn_top\n");
	sb_printf(&core, "    tools:\n      vivado:\n        part: %s\n", pp.part.device);
	put(out, "burn_top.core", core.s, core.len);
	strbuf xdc = {0};
	sb_printf(&xdc, "# written by burn export: the target clock (%g ns)\n"
			"create_clock -period %g -name clk [get_ports clk]\n",
		  pp.clock_ns, pp.clock_ns);
	put(out, "burn_top.xdc", xdc.s, xdc.len);
	strbuf hls = {0};
	config_write_hls4ml(&c, &p, &hls);
	put(out, "hls4ml.yaml", hls.s, hls.len);
	printf("exported %s (%d RTL files) to %s\n", id, rd.n_files, out);
	sb_free(&core);
	sb_free(&xdc);
	sb_free(&hls);
	sb_free(&cp);
	rtl_free(&rd);
	config_free(&c);
	project_free(&p);
	project_free(&pp);
	ydoc_free(&d);
	free(rtl);
	free(rj);
	free(facet);
	free(pfacet);
	return 0;
}
