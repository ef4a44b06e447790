// mix - one cell of each memory kind for the cell mapping of burn synth (tests/sh/synth.sh):
// a 32 x 8 register file with one write port and an asynchronous read (LUT RAM: RAM32M), a
// 36-bit x 512-word ROM read at a running address (too wide for logic: one RAMB18E1), and the
// counter's adder (CARRY4).
module burn_top (
	input  wire        clk,
	input  wire        we,
	input  wire [4:0]  wa,
	input  wire [7:0]  wd,
	input  wire [4:0]  ra,
	output wire [7:0]  rd,
	output reg  [35:0] q
);
	reg [7:0] rf [0:31];
	always @(posedge clk)
		if (we)
			rf[wa] <= wd;
	assign rd = rf[ra];

	reg [35:0] rom [0:511];
	initial $readmemh("mix_rom.hex", rom);
	reg [8:0] a = 9'd0;
	always @(posedge clk) begin
		a <= a + 9'd1;
		q <= rom[a];
	end
endmodule
