# Nothing here any more.
