#!/usr/bin/env node
import '@threepio/cli/bin'
