/* ide_priv.h — what ide.c, ide_atapi.c and ide_dma.c share; not for other files.
 *
 * Contract: every function here runs on the channel's current command (ch->act_drive),
 * and leaves the drive's status register and the channel's action consistent: either a
 * timer action is pending (BSY set), a data phase is open (DRQ set), or the command is
 * over (final status posted, INTRQ raised when the protocol says so).
 */
#ifndef VMM86_DEVICES_IDE_PRIV_H
#define VMM86_DEVICES_IDE_PRIV_H

#include "devices/ide.h"

/* ATAPI interrupt reason (sector count register) bits. */
#define IDE_IREASON_COD 0x01
#define IDE_IREASON_IO 0x02

/* SCSI sense keys and additional sense codes used by the CD-ROM. */
#define SENSE_NONE 0x00
#define SENSE_NOT_READY 0x02
#define SENSE_ILLEGAL_REQUEST 0x05
#define SENSE_UNIT_ATTENTION 0x06
#define ASC_INVALID_OPCODE 0x20
#define ASC_LBA_OUT_OF_RANGE 0x21
#define ASC_INVALID_FIELD 0x24
#define ASC_MEDIUM_NOT_PRESENT 0x3A
#define ASC_REMOVAL_PREVENTED 0x53

typedef enum IdeDmaResult {
    IDE_DMA_DONE,      /* all data moved; the PRD table ended with it */
    IDE_DMA_PRD_LEFT,  /* all data moved; PRD entries were left over */
    IDE_DMA_PRD_SHORT, /* the PRD table ended before the data */
    IDE_DMA_IO_ERROR,  /* the host image could not be read or written */
} IdeDmaResult;

static inline IdeDrive *ide_act(IdeChannel *ch) { return &ch->drive[ch->act_drive]; }

/* ide.c */
void ide_schedule(IdeChannel *ch, IdeAction act);
void ide_raise_irq(IdeChannel *ch, int drive);
void ide_update_irq(IdeChannel *ch);
void ide_set_signature(IdeDrive *d);
void ide_put_string(uint16_t *words, int first, int count, const char *s);
/* Arms the DMA action if a DMA command waits and the bus master has been started. */
void ide_dma_kick(IdeChannel *ch);

/* ide_atapi.c */
void ide_atapi_identify(const IdeDrive *d, uint16_t *w);
void ide_atapi_packet_cmd(IdeChannel *ch);    /* the PACKET (0xA0) command itself */
void ide_atapi_execute(IdeChannel *ch);       /* the 12-byte packet sits in buf */
void ide_atapi_next_chunk(IdeChannel *ch);    /* PIO data-in: next chunk or the end */
void ide_atapi_dma_finish(IdeChannel *ch, IdeDmaResult r);
void ide_atapi_reset(IdeDrive *d);

/* ide_dma.c: moves `len` bytes between guest memory (the PRD table) and either the
 * drive's image at byte `image_off` or, with from_buf, ch->buf. */
IdeDmaResult ide_dma_transfer(IdeChannel *ch, bool to_mem, bool from_buf, uint64_t image_off,
                              uint64_t len);
void ide_dma_end(IdeChannel *ch, IdeDmaResult r);

#endif
