#!/bin/sh
curl -fsS localhost:8080/health
