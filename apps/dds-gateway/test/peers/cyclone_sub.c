/*
 * A Cyclone DDS subscriber of DeviceCommand, an independent DDS stack for the gateway's
 * downlink tests: prints each command as a JSON line.
 *
 * cyclone_sub --topic T [--domain D]
 * Prints READY once created, then one line per command: {"device_id":...,"command_id":...}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dds/dds.h"
#include "fieldlink.h"

static void fail(const char *what, dds_return_t rc) {
  fprintf(stderr, "cyclone_sub: %s: %s\n", what, dds_strretcode(rc));
  exit(1);
}

/* Commands are test data of ours; quotes and backslashes are escaped, control characters dropped. */
static void print_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') { putchar('\\'); putchar(*s); }
    else if ((unsigned char)*s >= 0x20) putchar(*s);
  }
  putchar('"');
}

int main(int argc, char **argv) {
  const char *topic_name = NULL;
  int domain = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--topic") && i + 1 < argc) topic_name = argv[++i];
    else if (!strcmp(argv[i], "--domain") && i + 1 < argc) domain = atoi(argv[++i]);
    else { fprintf(stderr, "cyclone_sub: unknown argument %s\n", argv[i]); return 2; }
  }
  if (!topic_name) { fprintf(stderr, "cyclone_sub: --topic is required\n"); return 2; }
  setvbuf(stdout, NULL, _IOLBF, 0);

  dds_entity_t participant = dds_create_participant((dds_domainid_t)domain, NULL, NULL);
  if (participant < 0) fail("create participant", participant);
  dds_entity_t topic = dds_create_topic(participant, &DeviceCommand_desc, topic_name, NULL, NULL);
  if (topic < 0) fail("create topic", topic);
  dds_qos_t *qos = dds_create_qos();
  dds_qset_reliability(qos, DDS_RELIABILITY_RELIABLE, DDS_SECS(10));
  dds_qset_history(qos, DDS_HISTORY_KEEP_ALL, 0);
  dds_entity_t reader = dds_create_reader(participant, topic, qos, NULL);
  if (reader < 0) fail("create reader", reader);
  dds_delete_qos(qos);
  printf("READY\n");

  void *samples[16] = { 0 };
  dds_sample_info_t infos[16];
  for (;;) {
    dds_return_t n = dds_take(reader, samples, infos, 16, 16);
    if (n < 0) fail("take", n);
    for (int i = 0; i < n; i++) {
      if (!infos[i].valid_data) continue;
      const DeviceCommand *c = samples[i];
      printf("{\"device_id\":"); print_json_string(c->device_id);
      printf(",\"command_id\":"); print_json_string(c->command_id);
      printf(",\"action\":"); print_json_string(c->action);
      printf(",\"args\":"); print_json_string(c->args);
      printf("}\n");
    }
    if (n > 0) dds_return_loan(reader, samples, n);
    else dds_sleepfor(DDS_MSECS(10));
  }
}
