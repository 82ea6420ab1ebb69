#!/bin/sh
curl -fsS --max-time 5 localhost:8080/health
