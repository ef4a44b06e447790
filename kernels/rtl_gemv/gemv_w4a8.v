// gemv_w4a8.v - the INT4 groupwise GEMV engine (AWS F2 path, docs/KERNELS.md): weights arrive
// as 256-bit beats (one HBM pseudo-channel's AXI width) of 64 packed nibbles, lowest nibble
// first, and are unpacked P per cycle; each lane computes (q - z) * x; the lanes of one group
// are summed, scaled by the group's 16-bit mantissa m, and accumulated exactly into a 48-bit
// row sum: acc = sum_g m_g * sum_{c in g} (q_c - z_g) * x_c, as gemv_w4a8() in
// kernels/gemv.c. Rows come out in order. Verilog-2005.
module gemv_w4a8 #(
	parameter P = 64,        // MAC lanes: nibbles per cycle (16, 32 or 64)
	parameter LP = 6,        // log2(P)
	parameter G = 32,        // group size (32, 64 or 128)
	parameter LG = 5,        // log2(G)
	parameter K = P > G ? P / G : 1, // groups per cycle
	parameter XDEPTH = 256,  // activation words held (cols <= P * XDEPTH)
	parameter BW = 16        // width of the step counters
) (
	input clk,
	input rst,
	input [BW-1:0] steps,    // cycles per row = cols / P (cols a multiple of 64 and of G)
	// activations: `steps` words of P int8 (lane i in bits 8i+7:8i), before the weights
	input x_valid,
	output x_ready,
	input [8*P-1:0] x_data,
	// weights: cols/64 beats per row, nibble j of a beat (bits 4j+3:4j) is column 64b+j
	input w_valid,
	output w_ready,
	input [255:0] w_data,
	// group parameters, K per word, in column order: entry k has m in bits 32k+15:32k and z
	// in bits 32k+19:32k+16
	input s_valid,
	output s_ready,
	input [32*K-1:0] s_data,
	// each row's exact sum
	output y_valid,
	input y_ready,
	output [47:0] y_acc
);
	localparam LOGD = 4;                  // output FIFO depth 16
	localparam C = P < G ? P : G;         // lanes per group within a cycle
	localparam LC = P < G ? LP : LG;      // log2(C)
	localparam LK = LP - LC;              // log2(K)
	localparam SPG = G / C;               // cycles per group
	localparam SPB = 64 / P;              // cycles per beat
	localparam TW = 13 + LC + 17;         // width of a scaled group sum

	// activation memory
	reg [8*P-1:0] xmem [0:XDEPTH-1];
	reg [BW-1:0] xaddr;
	assign x_ready = 1'b1;
	always @(posedge clk) begin
		if (x_valid)
			xmem[xaddr] <= x_data;
		if (rst)
			xaddr <= 0;
		else if (x_valid)
			xaddr <= xaddr == steps - 1'b1 ? {BW{1'b0}} : xaddr + 1'b1;
	end

	// the current beat (shifted by 4P bits per cycle) and the current group parameters
	reg [255:0] beat;
	reg have_beat, have_sc;
	reg [7:0] sub;          // cycle within the beat
	reg [7:0] sgc;          // cycle within the group
	reg [32*K-1:0] sc;
	reg [BW-1:0] scnt;      // cycle within the row
	reg [LOGD:0] pending;
	wire credit = pending < (1 << LOGD);
	wire fire = have_beat && have_sc && credit;
	wire beat_done = sub == SPB - 1;
	wire grp_done = sgc == SPG - 1;
	wire last = scnt == steps - 1'b1;
	assign w_ready = !have_beat || (fire && beat_done);
	assign s_ready = !have_sc || (fire && grp_done);
	wire pop = y_valid && y_ready;
	always @(posedge clk) begin
		if (rst) begin
			have_beat <= 0;
			have_sc <= 0;
			sub <= 0;
			sgc <= 0;
			scnt <= 0;
			pending <= 0;
		end else begin
			if (w_valid && w_ready) begin
				beat <= w_data;
				have_beat <= 1;
			end else if (fire) begin
				beat <= beat >> (4 * P);
				if (beat_done)
					have_beat <= 0;
			end
			if (fire)
				sub <= beat_done ? 8'd0 : sub + 1'b1;
			if (s_valid && s_ready) begin
				sc <= s_data;
				have_sc <= 1;
			end else if (fire && grp_done) begin
				have_sc <= 0;
			end
			if (fire) begin
				sgc <= grp_done ? 8'd0 : sgc + 1'b1;
				scnt <= last ? {BW{1'b0}} : scnt + 1'b1;
			end
			pending <= pending + {{LOGD{1'b0}}, fire && last} - {{LOGD{1'b0}}, pop};
		end
	end

	// stage A: this cycle's nibbles, activations and group parameters
	reg [4*P-1:0] qa;
	reg [8*P-1:0] xa;
	reg [32*K-1:0] sca;
	reg va, fa, la;
	always @(posedge clk) begin
		va <= !rst && fire;
		if (fire) begin
			qa <= beat[4*P-1:0];
			xa <= xmem[scnt];
			sca <= sc;
			fa <= scnt == 0;
			la <= last;
		end
	end

	// stage B: lane products (q - z) * x, 13 bits
	wire [13*P-1:0] prod;
	genvar i, k;
	generate
		for (i = 0; i < P; i = i + 1) begin : lane
			wire signed [5:0] d = $signed({2'b00, qa[4*i +: 4]}) -
				$signed({2'b00, sca[32*(i/C) + 16 +: 4]});
			reg signed [12:0] pr;
			always @(posedge clk)
				pr <= d * $signed(xa[8*i +: 8]);
			assign prod[13*i +: 13] = pr;
		end
	endgenerate
	reg vb, fb, lb;
	reg [32*K-1:0] scb;
	always @(posedge clk) begin
		vb <= !rst && va;
		fb <= fa;
		lb <= la;
		scb <= sca;
	end

	// per group: an adder tree over its C lanes (LC stages), then times m (one stage)
	wire [32*K-1:0] scc;
	gemv_delay #(.W(32*K), .D(LC)) dsc (.clk(clk), .rst(rst), .in(scb), .out(scc));
	wire [TW*K-1:0] scaled;
	generate
		for (k = 0; k < K; k = k + 1) begin : grp
			wire [13+LC-1:0] gsum;
			gemv_tree #(.N(C), .W(13), .L(LC)) tree (.clk(clk), .in(prod[13*C*k +: 13*C]),
				.out(gsum));
			reg signed [TW-1:0] t;
			always @(posedge clk)
				t <= $signed(gsum) * $signed({1'b0, scc[32*k +: 16]});
			assign scaled[TW*k +: TW] = t;
		end
	endgenerate
	wire [TW+LK-1:0] csum;
	gemv_tree #(.N(K), .W(TW), .L(LK)) ktree (.clk(clk), .in(scaled), .out(csum));
	wire vc, fc, lc;
	gemv_delay #(.W(3), .D(LC + 1 + LK)) dflag (.clk(clk), .rst(rst), .in({vb, fb, lb}),
		.out({vc, fc, lc}));

	// the row accumulator
	reg signed [47:0] acc;
	wire signed [47:0] acc_n = (fc ? 48'sd0 : acc) + $signed(csum);
	always @(posedge clk)
		if (vc)
			acc <= acc_n;

	gemv_fifo #(.W(48), .LOGD(LOGD)) out (.clk(clk), .rst(rst), .push(vc && lc), .din(acc_n),
		.pop(pop), .nonempty(y_valid), .dout(y_acc));
endmodule
