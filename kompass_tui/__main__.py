from kompass_tui.cli import main

main()
