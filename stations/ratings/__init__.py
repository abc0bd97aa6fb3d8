"""好差评: the enterprise rates a delivered case once; a 差评 opens a rectification (差评整改) at the station."""
