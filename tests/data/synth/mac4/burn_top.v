// mac4 - a 4 -> 4 dense layer folded by ReuseFactor 4, the way burn's estimator models a layer
// (docs/ESTIMATE.md): P = 4 lanes with one multiplier each, D = 4 products per lane. Lane j
// computes output j over the 4 inputs. The inputs sit in a ring that rotates once per cycle;
// the weights are a 32-bit x 4-word ROM read at one running address (word c holds the lanes'
// weights for cycle c, lane 0 in the low byte), loaded by $readmemh from mac4_w.hex. Signed
// 8-bit inputs and weights, 20-bit accumulators written as acc <= (first ? 0 : acc) + x*w so
// that Yosys packs each into a DSP48's P register. Test data for tests/sh/synth.sh.
module burn_top (
	input  wire        clk,
	input  wire        rst,
	input  wire        start,   // loads x and starts one inference
	input  wire [31:0] x,       // input i in x[8*i +: 8]
	output reg         done,    // high for one cycle when y is valid
	output reg  [79:0] y        // output j in y[20*j +: 20]
);
	reg [31:0] rom [0:3];
	initial $readmemh("mac4_w.hex", rom);

	reg [31:0] ring;
	reg [1:0]  cnt;
	reg        busy;
	// stage 1: ROM word and input registered
	reg [31:0] w;
	reg [7:0]  xin;
	reg        v1, first1, last1;
	// stage 2: multiply-accumulate
	reg signed [19:0] acc0, acc1, acc2, acc3;
	reg        last2;

	always @(posedge clk) begin
		if (rst) begin
			busy <= 1'b0;
			cnt <= 2'd0;
			v1 <= 1'b0;
		end else if (start && !busy) begin
			busy <= 1'b1;
			cnt <= 2'd0;
			ring <= x;
			v1 <= 1'b0;
		end else begin
			v1 <= busy;
			if (busy) begin
				cnt <= cnt + 2'd1;
				ring <= {ring[7:0], ring[31:8]};
				if (cnt == 2'd3)
					busy <= 1'b0;
			end
		end
		w <= rom[cnt];
		xin <= ring[7:0];
		first1 <= cnt == 2'd0;
		last1 <= cnt == 2'd3;
	end

	always @(posedge clk) begin
		if (v1) begin
			acc0 <= (first1 ? 20'sd0 : acc0) + $signed(xin) * $signed(w[7:0]);
			acc1 <= (first1 ? 20'sd0 : acc1) + $signed(xin) * $signed(w[15:8]);
			acc2 <= (first1 ? 20'sd0 : acc2) + $signed(xin) * $signed(w[23:16]);
			acc3 <= (first1 ? 20'sd0 : acc3) + $signed(xin) * $signed(w[31:24]);
		end
		last2 <= v1 && last1;
		done <= last2;
		if (last2)
			y <= {acc3, acc2, acc1, acc0};
	end
endmodule
