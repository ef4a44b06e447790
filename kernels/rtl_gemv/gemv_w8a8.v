// gemv_w8a8.v - the W8A8 GEMV engine (PYNQ-Z2 path, docs/KERNELS.md): P int8 x int8 MACs per
// cycle, weights streamed in (valid/ready, no weight ROM), activations held on chip, exact
// int32 accumulation per row and the integer requantiser of kernels/gemv.h:
//   y = sat8((acc * mult + 2^(shift-1)) >>> shift).
// Rows come out in order with their accumulator. Verilog-2005.
module gemv_w8a8 #(
	parameter P = 16,       // MAC lanes = int8 weights per beat (a power of two, >= 2)
	parameter LP = 4,       // log2(P)
	parameter XDEPTH = 256, // activation words held (cols <= P * XDEPTH)
	parameter BW = 16       // width of the beat counters
) (
	input clk,
	input rst,
	input [BW-1:0] beats,   // beats per row = ceil(cols / P), held while rows stream
	// activations: `beats` words of P int8 (lane i in bits 8i+7:8i), before the weights
	input x_valid,
	output x_ready,
	input [8*P-1:0] x_data,
	// weights: `beats` words of P int8 per row, rows in order, the last word zero padded
	input w_valid,
	output w_ready,
	input [8*P-1:0] w_data,
	// the requantiser of each row, taken with the row's last weight word
	input q_valid,
	output q_ready,
	input [31:0] q_mult,
	input [5:0] q_shift,
	// each row's int32 accumulator and int8 result
	output y_valid,
	input y_ready,
	output [31:0] y_acc,
	output [7:0] y_data
);
	localparam LOGD = 4; // output FIFO depth 16

	// activation memory: written by the x stream, read one word per weight beat
	reg [8*P-1:0] xmem [0:XDEPTH-1];
	reg [BW-1:0] xaddr;
	assign x_ready = 1'b1;
	always @(posedge clk) begin
		if (x_valid)
			xmem[xaddr] <= x_data;
		if (rst)
			xaddr <= 0;
		else if (x_valid)
			xaddr <= xaddr == beats - 1'b1 ? {BW{1'b0}} : xaddr + 1'b1;
	end

	// weight stream: a beat is taken when a result slot is free (credit) and, for a row's last
	// beat, its requantiser is there
	reg [BW-1:0] bcnt;
	reg [LOGD:0] pending; // rows whose last beat was taken and whose result is not yet read
	wire last = bcnt == beats - 1'b1;
	wire credit = pending < (1 << LOGD);
	assign w_ready = credit && (!last || q_valid);
	assign q_ready = w_valid && credit && last;
	wire fire = w_valid && w_ready;
	wire pop = y_valid && y_ready;
	always @(posedge clk) begin
		if (rst) begin
			bcnt <= 0;
			pending <= 0;
		end else begin
			if (fire)
				bcnt <= last ? {BW{1'b0}} : bcnt + 1'b1;
			pending <= pending + (fire && last) - pop;
		end
	end

	// stage A: the beat and its activation word
	reg [8*P-1:0] wa, xa;
	reg [31:0] ma;
	reg [5:0] sa;
	reg va, fa, la;
	always @(posedge clk) begin
		va <= !rst && fire;
		if (fire) begin
			wa <= w_data;
			xa <= xmem[bcnt];
			fa <= bcnt == 0;
			la <= last;
			ma <= q_mult;
			sa <= q_shift;
		end
	end

	// stage B: P products
	wire [16*P-1:0] prod;
	genvar i;
	generate
		for (i = 0; i < P; i = i + 1) begin : lane
			reg signed [15:0] pr;
			always @(posedge clk)
				pr <= $signed(wa[8*i +: 8]) * $signed(xa[8*i +: 8]);
			assign prod[16*i +: 16] = pr;
		end
	endgenerate
	reg vb, fb, lb;
	reg [31:0] mb;
	reg [5:0] sb;
	always @(posedge clk) begin
		vb <= !rst && va;
		fb <= fa;
		lb <= la;
		mb <= ma;
		sb <= sa;
	end

	// the adder tree (LP stages), with the flags and requantiser alongside
	wire [16+LP-1:0] tsum;
	gemv_tree #(.N(P), .W(16), .L(LP)) tree (.clk(clk), .in(prod), .out(tsum));
	wire vc, fc, lc;
	wire [31:0] mc;
	wire [5:0] sc;
	gemv_delay #(.W(3), .D(LP)) dflag (.clk(clk), .rst(rst), .in({vb, fb, lb}), .out({vc, fc, lc}));
	gemv_delay #(.W(38), .D(LP)) drq (.clk(clk), .rst(rst), .in({mb, sb}), .out({mc, sc}));

	// stage C: the accumulator
	reg signed [31:0] acc;
	wire signed [31:0] acc_n = (fc ? 32'sd0 : acc) + $signed(tsum);
	always @(posedge clk)
		if (vc)
			acc <= acc_n;

	// stages D, E: the requantiser
	reg signed [63:0] pd;
	reg signed [31:0] accd;
	reg [5:0] sd;
	reg vd;
	always @(posedge clk) begin
		vd <= !rst && vc && lc;
		pd <= acc_n * $signed({1'b0, mc});
		accd <= acc_n;
		sd <= sc;
	end
	wire signed [63:0] rnd = pd + (64'sd1 <<< (sd - 6'd1));
	wire signed [63:0] sh = rnd >>> sd;
	wire [7:0] sat = sh > 64'sd127 ? 8'd127 : sh < -64'sd128 ? 8'h80 : sh[7:0];
	reg [31:0] acce;
	reg [7:0] ye;
	reg ve;
	always @(posedge clk) begin
		ve <= !rst && vd;
		acce <= accd;
		ye <= sat;
	end

	gemv_fifo #(.W(40), .LOGD(LOGD)) out (.clk(clk), .rst(rst), .push(ve), .din({acce, ye}),
		.pop(pop), .nonempty(y_valid), .dout({y_acc, y_data}));
endmodule
