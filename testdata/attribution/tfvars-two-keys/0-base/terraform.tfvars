databases = {
  alpha = { size = 1 }
  beta  = { size = 2 }
  gamma = { size = 3 }
}
