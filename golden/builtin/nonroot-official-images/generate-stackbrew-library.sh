#!/usr/bin/env bash
# prints the library/ manifest for official-images
