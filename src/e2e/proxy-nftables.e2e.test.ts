/** The service proxy end-to-end suite in nftables mode (the default). */
import { proxySuite } from './proxy-suite.js';

proxySuite('nftables');
