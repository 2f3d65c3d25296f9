export * from './attr-layout';
export * from './attr-codec';
export * from './constants';
export * from './ioctl';
export * from './read-format';
export * from './mmap-page';
export * from './errno';
export * from './features';
