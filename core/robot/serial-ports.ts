// The USB serial ports on this machine, with a hint for the adapters arm users plug in. On Linux
// this reads sysfs itself: serialport's list() shells out to udevadm, which is missing in containers
// and minimal installs (and crashes the process there). Elsewhere it asks serialport.
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SerialPortInfo } from '../../api/types.ts';

/** Adapters seen on lab arms, by USB vendor:product id. */
const KNOWN_ADAPTERS: Record<string, string> = {
  '1a86:55d3': 'CH343: Waveshare bus servo adapter (common on SO-100/SO-101)',
  '1a86:7523': 'CH340: Feetech FE-URT-1 and many bus servo boards',
  '1a86:55d4': 'CH9102: bus servo boards',
  '0403:6014': 'FTDI FT232H: ROBOTIS U2D2 (Dynamixel arms)',
  '0403:6001': 'FTDI FT232R: USB2Dynamixel and TTL adapters',
  '0403:6015': 'FTDI FT231X',
  '10c4:ea60': 'CP210x USB-UART',
  '2341:0043': 'Arduino Uno (not a servo bus adapter)',
};

export interface ListPortsOptions {
  /** For tests: where sysfs and /dev are. */
  sysRoot?: string;
  devRoot?: string;
}

export async function listSerialPorts(options: ListPortsOptions = {}): Promise<SerialPortInfo[]> {
  if (process.platform !== 'linux' && !options.sysRoot) return listWithSerialport();
  return listFromSysfs(options.sysRoot ?? '/sys', options.devRoot ?? '/dev');
}

function listFromSysfs(sysRoot: string, devRoot: string): SerialPortInfo[] {
  const ttyDir = join(sysRoot, 'class', 'tty');
  if (!existsSync(ttyDir)) return [];
  const byId = stableNames(join(devRoot, 'serial', 'by-id'));
  const ports: SerialPortInfo[] = [];
  for (const name of readdirSync(ttyDir).sort()) {
    const device = join(ttyDir, name, 'device');
    if (!existsSync(device)) continue; // virtual terminals have no device
    const usb = usbDeviceAbove(realpathSync(device));
    if (!usb) continue; // on-board UARTs (ttyS*) are never a servo adapter
    const vendorId = readText(join(usb, 'idVendor'));
    const productId = readText(join(usb, 'idProduct'));
    const path = join(devRoot, name);
    ports.push({
      path,
      stablePath: byId.get(name),
      vendorId,
      productId,
      manufacturer: readText(join(usb, 'manufacturer')),
      product: readText(join(usb, 'product')),
      serialNumber: readText(join(usb, 'serial')),
      hint: vendorId && productId ? KNOWN_ADAPTERS[`${vendorId}:${productId}`] : undefined,
    });
  }
  return ports;
}

/** The USB device folder (the one with idVendor) above a tty's device folder, if it is USB. */
function usbDeviceAbove(dir: string): string | undefined {
  for (let current = dir; current !== dirname(current); current = dirname(current)) {
    if (existsSync(join(current, 'idVendor'))) return current;
  }
  return undefined;
}

/** /dev/serial/by-id names survive replugging; ttyUSB numbers do not. */
function stableNames(byIdDir: string): Map<string, string> {
  const names = new Map<string, string>();
  if (!existsSync(byIdDir)) return names;
  for (const entry of readdirSync(byIdDir)) {
    try {
      names.set(basename(readlinkSync(join(byIdDir, entry))), join(byIdDir, entry));
    } catch {
      // not a link: skip
    }
  }
  return names;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

async function listWithSerialport(): Promise<SerialPortInfo[]> {
  const { SerialPort } = await import('serialport');
  const found = await SerialPort.list();
  return found.map((port) => {
    const vendorId = port.vendorId?.toLowerCase();
    const productId = port.productId?.toLowerCase();
    return {
      path: port.path,
      vendorId,
      productId,
      manufacturer: port.manufacturer,
      serialNumber: port.serialNumber,
      hint: vendorId && productId ? KNOWN_ADAPTERS[`${vendorId}:${productId}`] : undefined,
    };
  });
}
