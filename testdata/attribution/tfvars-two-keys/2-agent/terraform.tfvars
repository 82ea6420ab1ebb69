databases = {
  gamma = { size = 3 }
}
