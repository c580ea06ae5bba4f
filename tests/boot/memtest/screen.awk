# Replays a VT100 byte stream (memtest86+'s serial console) onto an 80x25 screen and prints
# the screen as it stands at the end of the stream, one line per row, trailing blanks cut.
# memtest86+ draws by cursor moves (ESC [ row ; col H) and overwrites; it also sends
# ESC [ 2 J (clear), ESC [ n m (attributes) and ESC [ ? 25 l (cursor off), which change no
# text. Other sequences are skipped. Usage: awk -f screen.awk SERIAL.txt
BEGIN {
    RS = "\033"
    ROWS = 25; COLS = 80
    clear_screen()
    row = 1; col = 1
}

function clear_screen(   r, c) {
    for (r = 1; r <= ROWS; r++)
        for (c = 1; c <= COLS; c++)
            cell[r, c] = " "
}

# Writes text at the cursor: CR and LF move it, other characters are put and advance it.
function put(text,   i, ch) {
    for (i = 1; i <= length(text); i++) {
        ch = substr(text, i, 1)
        if (ch == "\r") { col = 1; continue }
        if (ch == "\n") { if (row < ROWS) row++; continue }
        if (ch < " ") continue
        if (row >= 1 && row <= ROWS && col >= 1 && col <= COLS)
            cell[row, col] = ch
        col++
    }
}

NR == 1 { put($0); next }   # text before the first ESC

{
    # A control sequence: "[" parameters (digits, ';', '?') and one final letter.
    if (match($0, /^\[[0-9;?]*[A-Za-z]/)) {
        seq = substr($0, 2, RLENGTH - 2)
        final = substr($0, RLENGTH, 1)
        rest = substr($0, RLENGTH + 1)
        if (final == "H" || final == "f") {
            n = split(seq, p, ";")
            row = (n >= 1 && p[1] != "") ? p[1] + 0 : 1
            col = (n >= 2 && p[2] != "") ? p[2] + 0 : 1
        } else if (final == "J" && seq == "2") {
            clear_screen()
        }
        put(rest)
    } else {
        put($0)
    }
}

END {
    for (r = 1; r <= ROWS; r++) {
        line = ""
        for (c = 1; c <= COLS; c++)
            line = line cell[r, c]
        sub(/ +$/, "", line)
        print line
    }
}
