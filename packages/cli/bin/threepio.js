#!/usr/bin/env node
import '@threepio/log-writer/bin'
