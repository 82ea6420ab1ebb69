postgres-${trimspace(file("versions/db.txt"))}

