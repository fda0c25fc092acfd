/* dir_sync.h: making directory entries durable.
 *
 * A new, removed or renamed file survives a crash only once its directory
 * is fsynced (fsync of the file covers its data, not its name). Used after
 * segment rolls, topic creation, offsets compaction and producer-id blocks. */
#ifndef REFBROKER_DIR_SYNC_H
#define REFBROKER_DIR_SYNC_H

/* fsyncs directory `dir`. Returns 0 or -1 with errno. */
int storage_fsync_dir(const char *dir);

#endif
