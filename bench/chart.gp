# The chart of make bench: signatures per second versus threads and versus batch size, from the
# data files report.py writes. usage: gnuplot -e "datadir='DIR'; out='FILE.png'" bench/chart.gp
set terminal pngcairo size 1100,450 font "sans,10"
set output out
set multiplot layout 1,2 title "Hallmark: operations per second on this machine (make bench)"
set grid
set yrange [0:*]
set key top left
set ylabel "per second"
set format y "%.0f"
set title "versus threads"
set xlabel "threads (service: server event-loop threads; verifier: caller threads)"
set xtics 1
plot datadir."/threads.dat" using 1:2 with linespoints lw 2 title "service, batches of 100", \
     "" using 1:3 with linespoints lw 2 title "service, single messages", \
     "" using 1:4 with linespoints lw 2 title "verifier library"
set title "versus batch size (service, 4 connections)"
set xlabel "messages per request"
set logscale x
set xtics (1, 10, 100)
plot datadir."/batch.dat" using 1:2 with linespoints lw 2 title "all server threads", \
     "" using 1:3 with linespoints lw 2 title "1 server thread"
unset multiplot
