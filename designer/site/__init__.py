"""Where things stand: the floor grid and run lengths (``grid``), the halls of server sets and
where their servers, leaves and network rows go (``hall``), the name and rack unit of every
device of a fabric (``devices``), and whether it fits its rack (``space``). The one owner of
placement: the model asks it for run lengths, the cabling writer for positions."""
