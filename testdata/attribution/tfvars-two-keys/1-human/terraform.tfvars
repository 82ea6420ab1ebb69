databases = {
  beta  = { size = 2 }
  gamma = { size = 3 }
}
