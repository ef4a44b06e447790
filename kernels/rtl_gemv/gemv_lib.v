// gemv_lib.v - building blocks of the GEMV engines (docs/KERNELS.md): a registered pairwise
// adder tree, a delay line and a small FIFO. Verilog-2005.

// out = sum of the N signed W-bit values of in, L = log2(N) register stages later.
module gemv_tree #(
	parameter N = 4,  // operands (a power of two)
	parameter W = 16, // operand width
	parameter L = 2   // log2(N)
) (
	input clk,
	input [N*W-1:0] in,
	output [W+L-1:0] out
);
	genvar l, i;
	generate
		for (l = 0; l <= L; l = l + 1) begin : lv
			wire [(N>>l)*(W+l)-1:0] v;
			if (l == 0) begin : leaf
				assign v = in;
			end else begin : sum
				reg [(N>>l)*(W+l)-1:0] r;
				for (i = 0; i < (N >> l); i = i + 1) begin : add
					always @(posedge clk)
						r[i*(W+l) +: W+l] <= $signed(lv[l-1].v[2*i*(W+l-1) +: W+l-1]) +
							$signed(lv[l-1].v[(2*i+1)*(W+l-1) +: W+l-1]);
				end
				assign v = r;
			end
		end
	endgenerate
	assign out = lv[L].v;
endmodule

// out = in, D clock cycles later (D = 0: a wire). Reset clears the line.
module gemv_delay #(
	parameter W = 1,
	parameter D = 1
) (
	input clk,
	input rst,
	input [W-1:0] in,
	output [W-1:0] out
);
	generate
		if (D == 0) begin : wire_
			assign out = in;
		end else if (D == 1) begin : one
			reg [W-1:0] r;
			always @(posedge clk)
				r <= rst ? {W{1'b0}} : in;
			assign out = r;
		end else begin : line
			reg [W*D-1:0] r;
			always @(posedge clk)
				r <= rst ? {W*D{1'b0}} : {r[W*(D-1)-1:0], in};
			assign out = r[W*D-1 -: W];
		end
	endgenerate
endmodule

// A first-in first-out queue of 2^LOGD entries of W bits. The writer must not push when full
// (the engines keep a credit count so that it never is).
module gemv_fifo #(
	parameter W = 32,
	parameter LOGD = 4
) (
	input clk,
	input rst,
	input push,
	input [W-1:0] din,
	input pop,
	output nonempty,
	output [W-1:0] dout
);
	reg [W-1:0] mem [0:(1<<LOGD)-1];
	reg [LOGD:0] wp, rp;
	always @(posedge clk) begin
		if (push)
			mem[wp[LOGD-1:0]] <= din;
		if (rst) begin
			wp <= 0;
			rp <= 0;
		end else begin
			if (push)
				wp <= wp + 1'b1;
			if (pop && nonempty)
				rp <= rp + 1'b1;
		end
	end
	assign nonempty = wp != rp;
	assign dout = mem[rp[LOGD-1:0]];
endmodule
