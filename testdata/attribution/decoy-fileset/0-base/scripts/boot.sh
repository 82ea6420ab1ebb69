#!/bin/sh
/srv/worker --queue jobs
