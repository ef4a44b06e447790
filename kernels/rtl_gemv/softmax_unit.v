// softmax_unit.v - the fixed-point softmax of kernels/softmax.c in hardware (docs/KERNELS.md):
// scores stream in (valid/ready, `in_last` on a vector's final score) and are kept on chip
// while their maximum is found; then per score d = max - x, k = (d + half a step) >> (FRAC -
// SB), e = k < TN ? table[k] : 0 (the exp table, a ROM read from softmax_exp.hex), S = sum e;
// one restoring division R = floor(2^47 / S) (48 cycles); then y = (e * R + 2^31) >> 32 per
// score, streamed out with `out_last`. Not pipelined across vectors. Verilog-2005.
module softmax_unit #(
	parameter NMAX = 1024, // longest vector
	parameter LN = 10,     // log2(NMAX)
	parameter FRAC = 8,    // fractional bits of the scores
	parameter SB = 6,      // table step 2^-SB
	parameter TN = 1024,   // table entries
	parameter LT = 10      // log2(TN)
) (
	input clk,
	input rst,
	input in_valid,
	output in_ready,
	input [31:0] in_data,
	input in_last,
	output out_valid,
	input out_ready,
	output [15:0] out_data,
	output out_last
);
	localparam SH = FRAC - SB;
	localparam S_IN = 0, S_EXP = 1, S_DIV = 2, S_OUT = 3, S_OUTW = 4, S_OUTV = 5;
	reg [2:0] st;
	reg [31:0] xmem [0:NMAX-1];
	reg [16:0] emem [0:NMAX-1];
	reg [16:0] rom [0:TN-1];
	initial $readmemh("softmax_exp.hex", rom);

	reg [LN:0] n, j;
	reg signed [31:0] mx;
	assign in_ready = st == S_IN;
	wire in_fire = in_valid && in_ready;

	// exp pass: read x (stage 1), table index and ROM read (stage 2), sum (stage 3)
	reg [31:0] xr;
	reg v1, v2, kin;
	reg [LN:0] j1, j2;
	wire signed [33:0] d = $signed({mx[31], mx}) - $signed({xr[31], xr}) + (SH > 0 ? (34'sd1 <<< (SH - 1)) : 34'sd0);
	wire [33:0] k = d >>> SH;
	reg [16:0] er;
	reg [47:0] s;

	// division
	reg [47:0] q, rem;
	reg [5:0] bitn;
	wire [48:0] rem2 = {rem, (bitn == 6'd47) ? 1'b1 : 1'b0};

	// output
	reg [16:0] eo;
	reg [15:0] y;
	wire [63:0] prod = eo * q + 64'h80000000;

	always @(posedge clk) begin
		if (in_fire)
			xmem[n[LN-1:0]] <= in_data;
		xr <= xmem[j[LN-1:0]];
		er <= rom[k[LT-1:0]];
		eo <= emem[j[LN-1:0]];
		if (v2)
			emem[j2[LN-1:0]] <= kin ? er : 17'd0;
		if (rst) begin
			st <= S_IN;
			n <= 0;
			j <= 0;
			v1 <= 0;
			v2 <= 0;
			mx <= 32'sh80000000;
			s <= 0;
		end else begin
			v1 <= 0;
			v2 <= v1;
			j2 <= j1;
			kin <= k < TN;
			if (v2)
				s <= s + (kin ? {31'd0, er} : 48'd0);
			case (st)
			S_IN: if (in_fire) begin
				n <= n + 1'b1;
				if ($signed(in_data) > mx)
					mx <= in_data;
				if (in_last) begin
					st <= S_EXP;
					j <= 0;
					s <= 0;
				end
			end
			S_EXP: begin
				if (j < n) begin
					v1 <= 1;
					j1 <= j;
					j <= j + 1'b1;
				end else if (!v1 && !v2) begin
					st <= S_DIV;
					rem <= 0;
					q <= 0;
					bitn <= 6'd47;
				end
			end
			S_DIV: begin
				if (rem2 >= {1'b0, s}) begin
					rem <= rem2[47:0] - s;
					q[bitn] <= 1'b1;
				end else begin
					rem <= rem2[47:0];
				end
				if (bitn == 0) begin
					st <= S_OUT;
					j <= 0;
				end else begin
					bitn <= bitn - 1'b1;
				end
			end
			S_OUT: st <= S_OUTW; // emem[j] is read this cycle
			S_OUTW: begin
				y <= prod[47:32];
				st <= S_OUTV;
			end
			S_OUTV: if (out_ready) begin
				if (j + 1'b1 == n) begin
					st <= S_IN;
					n <= 0;
					mx <= 32'sh80000000;
				end else begin
					j <= j + 1'b1;
					st <= S_OUT;
				end
			end
			default: st <= S_IN;
			endcase
		end
	end
	assign out_valid = st == S_OUTV;
	assign out_data = y;
	assign out_last = j + 1'b1 == n;
endmodule
