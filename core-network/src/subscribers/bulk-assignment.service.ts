import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { AppError, readCsvUpload, type Principal } from '@pakawaaz/platform';
import {
  blockRecords,
  CsvFormatError,
  CsvLimitError,
  type CsvBlock,
  type CsvLimits,
} from '@pakawaaz/platform/csv';
import { coreNetworkError } from '../core-network.errors.js';
import { ASSIGNMENT_LIMITS, AssignmentCsvReader, assignmentLine } from './assignment-csv.js';
import { SubscribersService } from './subscribers.service.js';

export type AssignmentLineError = { line: number; imsi?: string; code: string; reason: string };
export type BulkAssignmentResult = {
  dryRun: boolean;
  totalRows: number;
  /** Lines assigned (or, in a dry run, that would be). */
  assigned: number;
  failed: number;
  /** The first 1,000 refused lines, in file order. */
  errors: AssignmentLineError[];
};

const MAX_ERRORS = 1_000;

/**
 * Assigns SIMs from a CSV file (`imsi,username`), line by line as the upload arrives: each line is its own
 * assignment (a refused line never undoes the others) and is refused with the same codes as a single
 * assignment. Bounded (1 MiB, 10,000 lines) and database-bound, so it runs in the request, not in a worker.
 * A dry run checks every line the same way and changes nothing.
 */
@Injectable()
export class BulkAssignmentService {
  constructor(private readonly subscribers: SubscribersService) {}

  async run(
    upload: Readable,
    opts: { dryRun: boolean; principal: Principal; requestId: string | null },
    limits: CsvLimits = ASSIGNMENT_LIMITS,
  ): Promise<BulkAssignmentResult> {
    const result: BulkAssignmentResult = {
      dryRun: opts.dryRun,
      totalRows: 0,
      assigned: 0,
      failed: 0,
      errors: [],
    };
    const seen = new Set<string>();
    const refuse = (e: AssignmentLineError) => {
      result.failed++;
      if (result.errors.length < MAX_ERRORS) result.errors.push(e);
    };
    const reader = new AssignmentCsvReader(limits);
    const ctx = { principal: opts.principal, requestId: opts.requestId };
    // The whole file is read (limits checked as it arrives, at most 1 MiB kept) before any line is acted on:
    // a file over a limit changes nothing.
    const blocks: CsvBlock[] = [];
    try {
      await readCsvUpload(upload, reader, (block) => {
        blocks.push(block);
        return Promise.resolve();
      });
    } catch (err) {
      if (err instanceof CsvLimitError)
        throw coreNetworkError(
          err.limit === 'maxLineBytes' ? 'invalid_assignment_file' : 'assignment_file_too_large',
          err.message,
        );
      if (err instanceof CsvFormatError) throw coreNetworkError('invalid_assignment_file', err.message);
      throw err;
    }
    if (!reader.header)
      throw coreNetworkError(
        'invalid_assignment_file',
        'The file is empty: send the header "imsi,username" and one line per SIM.',
      );
    const columns = reader.header.mapped;
    for (const block of blocks)
      for (const record of blockRecords(block.bytes, block.firstLine, 0)) {
        result.totalRows++;
        if ('reason' in record) {
          refuse({ line: record.line, code: 'invalid_line', reason: record.reason });
          continue;
        }
        const parsed = assignmentLine(record.fields, columns);
        if ('reason' in parsed) {
          refuse({ line: record.line, code: 'invalid_line', reason: parsed.reason });
          continue;
        }
        if (seen.has(parsed.imsi)) {
          refuse({
            line: record.line,
            imsi: parsed.imsi,
            code: 'duplicate_imsi',
            reason: 'this IMSI is on an earlier line of the file',
          });
          continue;
        }
        seen.add(parsed.imsi);
        try {
          if (opts.dryRun) await this.subscribers.checkAssign(parsed, opts.principal);
          else await this.subscribers.assign(parsed, ctx);
          result.assigned++;
        } catch (err) {
          if (!(err instanceof AppError) || err.status >= 500) throw err;
          refuse({ line: record.line, imsi: parsed.imsi, code: err.code, reason: err.message });
        }
      }
    return result;
  }
}
