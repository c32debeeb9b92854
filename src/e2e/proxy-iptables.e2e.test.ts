/** The service proxy end-to-end suite in iptables mode. */
import { proxySuite } from './proxy-suite.js';

proxySuite('iptables');
