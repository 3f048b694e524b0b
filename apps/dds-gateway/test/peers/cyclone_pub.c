/*
 * A Cyclone DDS publisher of SensorData, an independent DDS stack for the gateway's tests.
 * temperature carries the per-sensor sequence number (1, 2, ...), so a consumer can check
 * loss, duplicates and order; timestamp is the epoch ms at write time, or with
 * --timestamp-base B, B + n for the n-th sample (0-based), so a consumer can check each one.
 *
 * cyclone_pub --topic T [--domain D] [--count N] [--sensors S] [--rate R/s] [--durable]
 *             [--empty-key-every K] [--dispose] [--readers M] [--linger-ms MS] [--timestamp-base B]
 * Prints MATCHED once M readers match, then DONE <written> after the readers acknowledged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dds/dds.h"
#include "fieldlink.h"

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fail(const char *what, dds_return_t rc) {
  fprintf(stderr, "cyclone_pub: %s: %s\n", what, dds_strretcode(rc));
  exit(1);
}

int main(int argc, char **argv) {
  const char *topic_name = NULL;
  int domain = 0, count = 1000, sensors = 10, rate = 0, durable = 0, dispose = 0, readers = 1;
  int empty_key_every = 0, linger_ms = 0;
  long long timestamp_base = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--topic") && v) topic_name = argv[++i];
    else if (!strcmp(a, "--domain") && v) domain = atoi(argv[++i]);
    else if (!strcmp(a, "--count") && v) count = atoi(argv[++i]);
    else if (!strcmp(a, "--sensors") && v) sensors = atoi(argv[++i]);
    else if (!strcmp(a, "--rate") && v) rate = atoi(argv[++i]);
    else if (!strcmp(a, "--readers") && v) readers = atoi(argv[++i]);
    else if (!strcmp(a, "--empty-key-every") && v) empty_key_every = atoi(argv[++i]);
    else if (!strcmp(a, "--linger-ms") && v) linger_ms = atoi(argv[++i]);
    else if (!strcmp(a, "--timestamp-base") && v) timestamp_base = atoll(argv[++i]);
    else if (!strcmp(a, "--durable")) durable = 1;
    else if (!strcmp(a, "--dispose")) dispose = 1;
    else { fprintf(stderr, "cyclone_pub: unknown argument %s\n", a); return 2; }
  }
  if (!topic_name || sensors < 1) { fprintf(stderr, "cyclone_pub: --topic is required\n"); return 2; }
  setvbuf(stdout, NULL, _IOLBF, 0);

  dds_entity_t participant = dds_create_participant((dds_domainid_t)domain, NULL, NULL);
  if (participant < 0) fail("create participant", participant);
  dds_entity_t topic = dds_create_topic(participant, &SensorData_desc, topic_name, NULL, NULL);
  if (topic < 0) fail("create topic", topic);
  dds_qos_t *qos = dds_create_qos();
  /* Long enough to outlast a killed reader's lease, during which its unacked samples fill the history. */
  dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_SECS(60));
  dds_qset_history(qos, DDS_HISTORY_KEEP_ALL, 0);
  if (durable) {
    dds_qset_durability(qos, DDS_DURABILITY_TRANSIENT_LOCAL);
    /* Cyclone keeps only the last sample per instance for late joiners unless told otherwise. */
    dds_qset_durability_service(qos, 0, DDS_HISTORY_KEEP_ALL, 0, DDS_LENGTH_UNLIMITED, DDS_LENGTH_UNLIMITED, DDS_LENGTH_UNLIMITED);
  }
  dds_entity_t writer = dds_create_writer(participant, topic, qos, NULL);
  if (writer < 0) fail("create writer", writer);
  dds_delete_qos(qos);

  dds_return_t rc = dds_set_status_mask(writer, DDS_PUBLICATION_MATCHED_STATUS);
  if (rc < 0) fail("status mask", rc);
  dds_publication_matched_status_t matched;
  for (;;) {
    rc = dds_get_publication_matched_status(writer, &matched);
    if (rc < 0) fail("matched status", rc);
    if ((int)matched.current_count >= readers) break;
    dds_sleepfor(DDS_MSECS(20));
  }
  printf("MATCHED %d\n", (int)matched.current_count);

  long long started = now_ms();
  char id[32];
  for (int n = 0; n < count; n++) {
    int sensor = n % sensors;
    SensorData sample;
    snprintf(id, sizeof id, "sensor-%d", sensor);
    int empty = empty_key_every > 0 && (n + 1) % empty_key_every == 0;
    snprintf(sample.sensor_id, sizeof sample.sensor_id, "%s", empty ? "" : id);
    sample.temperature = (double)(n / sensors + 1);
    sample.humidity = (double)sensor;
    sample.timestamp = timestamp_base > 0 ? timestamp_base + n : now_ms();
    rc = dds_write(writer, &sample);
    if (rc < 0) fail("write", rc);
    if (rate > 0) {
      long long due = started + (long long)(n + 1) * 1000 / rate;
      long long wait = due - now_ms();
      if (wait > 0) dds_sleepfor(DDS_MSECS(wait));
    }
  }
  if (dispose) {
    for (int s = 0; s < sensors && s < count; s++) {
      SensorData key;
      snprintf(id, sizeof id, "sensor-%d", s);
      snprintf(key.sensor_id, sizeof key.sensor_id, "%s", id);
      key.temperature = key.humidity = 0;
      key.timestamp = 0;
      rc = dds_dispose(writer, &key);
      if (rc < 0) fail("dispose", rc);
    }
  }
  rc = dds_wait_for_acks(writer, DDS_SECS(120));
  if (rc < 0) fail("wait for acks", rc);
  printf("DONE %d\n", count);
  if (linger_ms > 0) dds_sleepfor(DDS_MSECS(linger_ms));
  dds_delete(participant);
  return 0;
}
