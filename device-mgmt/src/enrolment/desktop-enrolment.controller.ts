import { Controller, Header, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  ErrorCodes,
  RequestId,
  RouteScope,
  ZodBody,
  ZodResponse,
  type Principal,
} from '@pakawaaz/platform';
import type { z } from 'zod';
import { DEVICE_MGMT_ERROR_STATUS } from '../device-mgmt.errors.js';
import { b64Bytes, DesktopEnrolled, DesktopEnrolmentRequest } from './enrolment.dto.js';
import { DesktopEnrolmentService } from './desktop-enrolment.service.js';

/** The official's browser enrols itself as a desktop device (the officials' web chat). */
@ApiTags('devices')
@ApiBearerAuth('bearer')
@RouteScope('self')
@ErrorCodes(
  DEVICE_MGMT_ERROR_STATUS,
  'not_an_official',
  'official_disabled',
  'desktop_devices_forbidden',
  'desktop_limit_reached',
  'csr_invalid',
  'fresh_sign_in_required',
)
@Controller('api/v1/enrolment/desktop')
export class DesktopEnrolmentController {
  constructor(private readonly desktops: DesktopEnrolmentService) {}

  /** A CSR for the browser's non-extractable key → a device certificate of kind `desktop` for the caller. */
  @Post()
  @Header('cache-control', 'no-store')
  @ZodResponse(201, DesktopEnrolled)
  enrol(
    @ZodBody(DesktopEnrolmentRequest) body: z.infer<typeof DesktopEnrolmentRequest>,
    @CurrentPrincipal() p: Principal,
    @RequestId() requestId: string,
  ) {
    return this.desktops.enrol(p, b64Bytes(body.csr), requestId);
  }
}
