// bad - a syntax error: Yosys must fail and burn synth record a failed candidate.
module burn_top (input wire clk, output reg q);
	always @(posedge clk)
		q <= ~q
endmodule
