// rope_rot.v - the RoPE rotation unit (docs/KERNELS.md): one (x0, x1) pair and its Q1.14
// (cos, sin) per cycle, valid/ready, two stages; as rope_apply() in kernels/rope.c:
//   y0 = sat16((x0*c - x1*s + 2^13) >>> 14), y1 = sat16((x0*s + x1*c + 2^13) >>> 14).
// Verilog-2005.
module rope_rot (
	input clk,
	input rst,
	input in_valid,
	output in_ready,
	input [15:0] x0,
	input [15:0] x1,
	input [15:0] c,
	input [15:0] s,
	output out_valid,
	input out_ready,
	output [15:0] y0,
	output [15:0] y1
);
	reg v1, v2;
	wire en = !v2 || out_ready; // the pipeline moves when its output is free or taken
	assign in_ready = en;
	reg signed [31:0] p00, p11, p01, p10;
	always @(posedge clk) begin
		if (rst) begin
			v1 <= 1'b0;
		end else if (en) begin
			v1 <= in_valid;
		end
		if (en && in_valid) begin
			p00 <= $signed(x0) * $signed(c);
			p11 <= $signed(x1) * $signed(s);
			p01 <= $signed(x0) * $signed(s);
			p10 <= $signed(x1) * $signed(c);
		end
	end
	wire signed [33:0] a = $signed(p00) - $signed(p11) + 34'sd8192;
	wire signed [33:0] b = $signed(p01) + $signed(p10) + 34'sd8192;
	wire signed [33:0] as = a >>> 14, bs = b >>> 14;
	reg [15:0] r0, r1;
	always @(posedge clk) begin
		if (rst)
			v2 <= 1'b0;
		else if (en)
			v2 <= v1;
		if (en && v1) begin
			r0 <= as > 34'sd32767 ? 16'h7fff : as < -34'sd32768 ? 16'h8000 : as[15:0];
			r1 <= bs > 34'sd32767 ? 16'h7fff : bs < -34'sd32768 ? 16'h8000 : bs[15:0];
		end
	end
	assign out_valid = v2;
	assign y0 = r0;
	assign y1 = r1;
endmodule
