import e2eGlobalTeardown from '../../support/global-teardown';
import { writeTimingsReport } from './artifacts';

export default function browserGlobalTeardown() {
  writeTimingsReport();
  e2eGlobalTeardown();
}
