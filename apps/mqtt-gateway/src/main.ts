// First: it loads mqtt-packet, which must happen before anything imports mqtt.
import './session/quiet-mqtt-packet';
import { bootstrap } from './bootstrap';

void bootstrap();
